namespace Crm.Tests.Infrastructure;

/// <summary>
/// For what happens asynchronously by design (an acknowledged event is applied by a processor moments later):
/// asks until the answer is as expected, or fails with the last answer after the timeout.
/// </summary>
public static class Eventually
{
    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> expected, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var value = await probe();
            if (expected(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Still not as expected after {timeout ?? TimeSpan.FromSeconds(15)}; last answer: {value}");
            }

            await Task.Delay(50);
        }
    }
}
