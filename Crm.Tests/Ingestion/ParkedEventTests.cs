using Crm.Customers;
using Crm.Ingestion;
using Crm.Tests.Infrastructure;
using Crm.Timeline;
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
        var index = Silo.GetRequiredService<IIdentityIndex>();
        await index.ClaimAsync(new CustomerKey(tenant, "loop-a"), [new Identity(IdentityKind.User, "looper")]);
        var log = Silo.GetRequiredService<IIngestLog>();
        var poison = Tracked(tenant, "looper", "poison-1");
        var partition = poison.PartitionOf(log.Partitions);
        var healthy = Enumerable.Range(0, 1000).Select(i => Tracked(tenant, $"fine-{i}", $"healthy-{i}")).First(e => e.PartitionOf(log.Partitions) == partition);
        await log.AppendAsync([poison, healthy]);
        var processor = fixture.Grains.GetGrain<IIngestPartitionGrain>(partition);

        await processor.WakeAsync();
        var status = await Eventually.ReturnsAsync(processor.GetStatusAsync, s => s.Parked.Any(p => p.TenantId == tenant));
        var parked = Assert.Single(status.Parked, p => p.TenantId == tenant);
        var fine = await Eventually.ReturnsAsync(
            async () => (await index.FindAsync([new TenantIdentity(tenant, healthy.Event.Identities[0])])).Values.SingleOrDefault(), owner => owner is not null);

        Assert.Equal("poison-1", parked.MessageId);
        Assert.Contains("merged or deleted customers", parked.Reason);
        Assert.Equal(1, (await Eventually.ReturnsAsync(() => Customer(tenant, fine!.CustomerId).GetAsync(), c => c is not null))!.Activity.TotalInteractions);
        Assert.Single(await processor.RetryParkedAsync(), p => p.TenantId == tenant);

        await index.MoveAsync(new CustomerKey(tenant, "loop-a"), new CustomerKey(tenant, "repaired"), [new Identity(IdentityKind.User, "looper")]);
        await processor.ForgetAsync(tenant, [new Identity(IdentityKind.User, "looper")]);
        var still = await processor.RetryParkedAsync();

        Assert.DoesNotContain(still, p => p.TenantId == tenant);
        Assert.Equal(1, (await Customer(tenant, "repaired").GetAsync())!.Activity.TotalInteractions);
    }

    private IServiceProvider Silo => fixture.Cluster.GetSiloServiceProvider();

    private ICustomerGrain Customer(string tenant, string id) => fixture.Grains.GetGrain<ICustomerGrain>(new CustomerKey(tenant, id).ToString());

    private static LoggedEvent Tracked(string tenant, string userId, string messageId) => new(tenant, new IngestEvent
    {
        MessageId = messageId,
        SourceId = Guid.NewGuid(),
        SourceName = "Test source",
        Type = IngestEventType.Track,
        Identities = [new Identity(IdentityKind.User, userId)],
        Name = "Viewed",
        Timestamp = DateTimeOffset.UtcNow,
        ReceivedAt = DateTimeOffset.UtcNow,
        Interaction = new NewInteraction { Channel = InteractionChannel.Web, Subject = "Viewed", OccurredAt = DateTimeOffset.UtcNow, ExternalId = messageId },
    });
}
