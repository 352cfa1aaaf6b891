using Crm.Customers;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Crm.Timeline;
using Orleans.Streams;
using Orleans.TestingHost;

namespace Crm.Tests.Customers;

/// <summary>A customer publishes its changes only while someone watches it, on a cluster with a one-second lease.</summary>
public sealed class CustomerPublishingTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(1);
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await CrmTestCluster.StartInMemoryAsync(new Dictionary<string, string?> { ["Crm:Customers:WatchLease"] = Lease.ToString() });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Publishes_for_a_lease_after_activation_and_after_each_watch_and_not_otherwise()
    {
        var key = new CustomerKey(TestTenants.New(), "c1");
        var grain = _cluster.Client.GetGrain<ICustomerGrain>(key.ToString());
        var events = new Recorder<CustomerEvent>();
        await _cluster.Client.GetStreamProvider(Constants.StreamProvider)
            .GetStream<CustomerEvent>(StreamId.Create(Constants.CustomerStreamNamespace, key.ToString()))
            .SubscribeAsync((e, _) =>
            {
                events.Record(e);
                return Task.CompletedTask;
            });
        var actor = new Actor("u-1", "Alex Agent");

        await grain.CreateAsync(new CustomerProfile { DisplayName = "Ada Lovelace" }, actor);
        await events.WaitForAsync(1);
        await Task.Delay(Lease * 1.5);
        await grain.AddInteractionAsync(new NewInteraction { Channel = InteractionChannel.Note, Subject = "unwatched", Agent = actor });
        var upTo = await grain.WatchAsync();
        await grain.AddInteractionAsync(new NewInteraction { Channel = InteractionChannel.Note, Subject = "watched", Agent = actor });
        var received = await events.WaitForAsync(2);

        Assert.Equal(2, upTo);
        // The stream keeps order: had the unwatched change been published, it would have come second.
        Assert.Equal([1, 3], received.Select(e => e.Sequence));
    }
}
