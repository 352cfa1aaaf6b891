using Crm.Duplicates;
using Crm.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Crm.Tests.Duplicates;

/// <summary>What duplicate detection has been told to check is in its stored state at once, not only when it deactivates: a crash does not lose it.</summary>
[Collection(InMemoryClusterCollection.Name)]
public sealed class DuplicateChecksDurabilityTests(InMemoryClusterFixture fixture)
{
    [Fact]
    public async Task Customers_waiting_to_be_checked_are_stored_while_the_grain_is_still_active()
    {
        var tenant = TestTenants.New();
        var duplicates = fixture.Grains.GetGrain<IDuplicatesGrain>(tenant);
        await duplicates.RescanAsync();
        await Eventually.ReturnsAsync(() => duplicates.GetScanAsync(), scan => scan.Status == DuplicateScanStatus.Completed);

        await duplicates.ChangedAsync(["c-1", "c-2"]);

        var stored = await Eventually.ReturnsAsync(async () =>
        {
            var state = new GrainState<DuplicatesState>();
            await Storage.ReadStateAsync("duplicates", duplicates.GetGrainId(), state);
            return state.State;
        }, state => state is not null && state.Pending.Contains("c-1") && state.Pending.Contains("c-2"));
        Assert.Equal(DuplicateScanStatus.Completed, stored!.Status);
    }

    private IGrainStorage Storage =>
        ((InProcessSiloHandle)fixture.Cluster.Silos[0]).SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(Constants.GrainStorage);
}
