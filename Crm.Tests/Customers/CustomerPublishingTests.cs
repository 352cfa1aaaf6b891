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
    public async Task Publishes_while_watched_and_for_a_lease_after_reactivation_and_not_otherwise()
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

        // Nobody can be watching a customer that did not exist yet.
        await grain.CreateAsync(new CustomerProfile { DisplayName = "Ada Lovelace" }, actor);
        var upTo = await grain.WatchAsync();
        await grain.AddInteractionAsync(Note("watched"));
        await events.WaitForAsync(1);
        await Task.Delay(Lease * 1.5);
        await grain.AddInteractionAsync(Note("lease ran out"));
        // A web node may have watched it before it was deactivated: the new activation carries on for one lease.
        await _cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        await grain.AddInteractionAsync(Note("reactivated"));
        var received = await events.WaitForAsync(2);

        Assert.Equal(1, upTo);
        // The stream keeps order: had an unwatched change been published, it would have come before the last.
        Assert.Equal([2, 4], received.Select(e => e.Sequence));

        NewInteraction Note(string subject) => new() { Channel = InteractionChannel.Note, Subject = subject, Agent = actor };
    }
}
