using System.Diagnostics;

namespace Crm.Benchmarks;

/// <summary>
/// Load on a schedule, whatever the answers: a slow answer does not slow the sender, so latency is measured as a
/// steady stream of users would see it instead of being hidden by a load generator that waits (coordinated omission).
/// </summary>
public static class OpenLoad
{
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    /// <summary>Calls <paramref name="send"/> with 0, 1, 2… every <see cref="Tick"/> for the duration, then waits for every call.</summary>
    /// <returns>How many sends were started.</returns>
    public static async Task<int> RunAsync(TimeSpan duration, Func<int, Task> send)
    {
        var inFlight = new List<Task>();
        using var timer = new PeriodicTimer(Tick);
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var sends = 0;
        while (Stopwatch.GetTimestamp() < stopAt && await timer.WaitForNextTickAsync())
        {
            var n = sends++;
            inFlight.Add(Task.Run(() => send(n)));
        }

        await Task.WhenAll(inFlight);
        return sends;
    }

    public static int PerTick(int perSecond) => Math.Max(1, (int)(perSecond * Tick.TotalSeconds));
}
