using Crm.Customers;
using Crm.Ingestion;
using Crm.Tests.Infrastructure;
using Crm.Timeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

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
        var health = new Crm.Web.Hosting.IngestHealthCheck(fixture.Grains, log, Silo.GetRequiredService<IOptions<IngestOptions>>(), TimeProvider.System);
        var parkedBefore = (long)(await health.CheckHealthAsync(new HealthCheckContext())).Data["parked"];

        await processor.WakeAsync();
        var status = await Eventually.ReturnsAsync(processor.GetStatusAsync, s => s.Parked.Any(p => p.TenantId == tenant));
        var whileParked = await health.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Degraded, whileParked.Status);
        Assert.Equal(parkedBefore + 1, whileParked.Data["parked"]);
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
        Assert.Equal(parkedBefore, (await health.CheckHealthAsync(new HealthCheckContext())).Data["parked"]);
    }

    [Fact]
    public async Task However_many_events_one_tenant_has_parked_another_tenants_events_in_the_same_partition_are_applied()
    {
        var (flooder, neighbour) = (TestTenants.New(), TestTenants.New());
        var log = Silo.GetRequiredService<IIngestLog>();
        var neighbours = Tracked(neighbour, "next-door", "neighbour-1");
        var partition = neighbours.PartitionOf(log.Partitions);
        // More than a partition's state could ever hold: events that no longer read, each parked at once.
        var bad = Enumerable.Range(0, 20_000).Select(i => LoggedEvent.Unreadable(flooder, $"bad-{i}", "garbled"))
            .Where(e => e.PartitionOf(log.Partitions) == partition).Take(1_500).ToList();
        await log.AppendAsync(bad);
        var processor = fixture.Grains.GetGrain<IIngestPartitionGrain>(partition);
        await processor.WakeAsync();
        var parked = await Eventually.ReturnsAsync(
            async () => (await log.ParkedAsync(partition, long.MinValue, int.MaxValue)).Where(p => p.TenantId == flooder).ToList(), p => p.Count == 1_500);

        await log.AppendAsync([neighbours]);
        await processor.WakeAsync();

        var index = Silo.GetRequiredService<IIdentityIndex>();
        var owner = await Eventually.ReturnsAsync(
            async () => (await index.FindAsync([new TenantIdentity(neighbour, neighbours.Event.Identities[0])])).Values.SingleOrDefault(), o => o is not null);
        var status = await processor.GetStatusAsync();
        Assert.Equal(1, (await Eventually.ReturnsAsync(() => Customer(neighbour, owner!.CustomerId).GetAsync(), c => c is not null))!.Activity.TotalInteractions);
        Assert.True(status.ParkedCount >= 1_500);
        Assert.True(status.Parked.Count <= 500);
        await log.UnparkAsync(partition, [.. parked.Select(p => p.Position)]);
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
