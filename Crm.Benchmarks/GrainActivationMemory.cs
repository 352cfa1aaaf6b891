using System.Collections.Immutable;
using Crm.Customers;
using Crm.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Benchmarks;

/// <summary>
/// Managed memory per activated customer grain with an empty timeline, over 100,000 activations, in a silo
/// configured as in embedded mode. The customers are created first and deactivated, so that what is measured
/// is activating them (grain, state, Orleans' bookkeeping), not storing them. Baseline: the same states held
/// in a plain list, measured in the same run.
/// </summary>
public static class GrainActivationMemory
{
    public sealed record Result(int Activations, double BytesPerActivation, double BytesPerPlainState);

    public static async Task<Result> RunAsync(int activations = 100_000)
    {
        using var host = await BenchmarkSilo.StartAsync(connectionString: null);
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var management = grains.GetGrain<IManagementGrain>(0);
        var actor = new Actor("bench", "Benchmark");
        var keys = Enumerable.Range(0, activations).Select(i => new CustomerKey("bench-memory", $"c{i:000000}").ToString()).ToArray();

        await ForEachAsync(keys, key => grains.GetGrain<ICustomerGrain>(key).CreateAsync(Profile(key), actor));
        await management.ForceActivationCollection(TimeSpan.Zero);
        await WaitForActivationsAsync(management, count => count == 0);
        var before = Measure();

        await ForEachAsync(keys, key => grains.GetGrain<ICustomerGrain>(key).GetAsync());
        await WaitForActivationsAsync(management, count => count >= activations);
        var after = Measure();

        var plainBefore = Measure();
        var plain = keys.Select(key => new CustomerState { Profile = Profile(key), Version = 1, Sequence = 1, ProfileSequence = 1, CreatedBy = actor, UpdatedBy = actor }).ToList();
        var plainAfter = Measure();
        GC.KeepAlive(plain);

        await host.StopAsync();
        return new Result(activations, (after - before) / (double)activations, (plainAfter - plainBefore) / (double)activations);
    }

    /// <summary>A typical profile: names, one email, one phone, a company, a few attributes and tags.</summary>
    private static CustomerProfile Profile(string key) => new()
    {
        DisplayName = $"Customer {key}",
        GivenName = "Ada",
        FamilyName = "Lovelace",
        Emails = [$"{key.Replace('/', '.')}@example.com"],
        Phones = ["+442079460000"],
        Company = "Analytical Engines",
        Country = "GB",
        Tags = ["vip"],
        Attributes = new Dictionary<string, AttributeValue>
        {
            ["plan"] = AttributeValue.Text("pro"),
            ["seats"] = AttributeValue.Number(12),
        }.ToImmutableDictionary(),
        Lifecycle = LifecycleStage.Customer,
    };

    private static Task ForEachAsync(IEnumerable<string> keys, Func<string, Task> action) =>
        Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (key, _) => await action(key));

    private static async Task WaitForActivationsAsync(IManagementGrain management, Func<long, bool> done)
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            var stats = await management.GetSimpleGrainStatistics();
            var count = stats.Where(s => s.GrainType.Contains(nameof(CustomerGrain), StringComparison.Ordinal)).Sum(s => (long)s.ActivationCount);
            if (done(count))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("Activations did not reach the expected count.");
    }

    private static long Measure()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
