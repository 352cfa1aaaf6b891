using Crm.Customers;
using Crm.Ingestion;
using Crm.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Tests.Ingestion;

[Collection(InMemoryClusterCollection.Name)]
public sealed class ParkedEventTests(InMemoryClusterFixture fixture)
{
    [Fact]
    public async Task An_event_that_fails_on_its_own_is_parked_the_partition_moves_on_and_a_retry_applies_it_once_fixed()
    {
        var tenant = TestTenants.New();
        // Corrupt identity data, as a bug or a bad manual fix might leave it: two customers merged into each other.
        await Customer(tenant, "loop-a").MergeIntoAsync("loop-b");
        await Customer(tenant, "loop-b").MergeIntoAsync("loop-a");
        var poisoned = fixture.Grains.GetGrain<IIdentityGrain>($"{tenant}/{new Identity(IdentityKind.User, "looper").Key}");
        await poisoned.ClaimAsync("loop-a");
        var log = fixture.Cluster.GetSiloServiceProvider().GetRequiredService<IIngestLog>();
        var poison = Tracked(tenant, "looper", "poison-1");
        var partition = poison.PartitionOf(log.Partitions);
        var healthy = Enumerable.Range(0, 1000).Select(i => Tracked(tenant, "fine", $"healthy-{i}")).First(e => e.PartitionOf(log.Partitions) == partition);
        await log.AppendAsync([poison, healthy]);
        var processor = fixture.Grains.GetGrain<IIngestPartitionGrain>(partition);

        var status = await Eventually.ReturnsAsync(async () =>
        {
            await processor.WakeAsync();
            return await processor.GetStatusAsync();
        }, s => s.Parked.Any(p => p.TenantId == tenant));
        var parked = Assert.Single(status.Parked, p => p.TenantId == tenant);
        var fine = await Eventually.ReturnsAsync(
            () => fixture.Grains.GetGrain<IIdentityGrain>($"{tenant}/{new Identity(IdentityKind.User, "fine").Key}").GetOwnerAsync(), owner => owner is not null);

        Assert.Equal("poison-1", parked.MessageId);
        Assert.Contains("merges in a row", parked.Reason);
        Assert.Equal(1, (await Customer(tenant, fine!).GetAsync())!.Activity.TotalInteractions);
        Assert.Single(await processor.RetryParkedAsync(), p => p.TenantId == tenant);

        await poisoned.ReassignAsync("loop-a", "repaired");
        var still = await processor.RetryParkedAsync();

        Assert.DoesNotContain(still, p => p.TenantId == tenant);
        Assert.Equal(1, (await Customer(tenant, "repaired").GetAsync())!.Activity.TotalInteractions);
    }

    private ICustomerGrain Customer(string tenant, string id) => fixture.Grains.GetGrain<ICustomerGrain>(new CustomerKey(tenant, id).ToString());

    private static LoggedEvent Tracked(string tenant, string userId, string messageId) => new(tenant, new IngestEvent
    {
        MessageId = messageId,
        SourceId = Guid.NewGuid(),
        SourceName = "Test source",
        Type = IngestEventType.Track,
        UserId = userId,
        Name = "Viewed",
        Timestamp = DateTimeOffset.UtcNow,
        ReceivedAt = DateTimeOffset.UtcNow,
    });
}
