using System.Text.Json;
using Crm.Customers;
using Crm.Security;
using Crm.Segments;
using Crm.Tests.Infrastructure;
using Crm.Timeline;
using Orleans.Streams;

namespace Crm.Tests.Segments;

/// <summary>Customers entering and leaving saved segments, as the analytic and campaign grains hear it on the tenant's membership stream.</summary>
[Collection(InMemoryClusterCollection.Name)]
public sealed class SegmentMembershipTests(InMemoryClusterFixture fixture)
{
    private static readonly Actor Supervisor = new("u-1", "Sam Supervisor");

    [Fact]
    public async Task A_customer_that_enters_or_leaves_a_segment_by_its_own_changes_is_published_once_each_time_and_only_to_its_tenant()
    {
        var tenant = TestTenants.New();
        var vips = await CreateSegmentAsync(tenant, "VIPs", """{"field":"tags","op":"contains","value":"vip"}""");
        var heard = await SubscribeAsync(tenant);
        var strangers = await SubscribeAsync(TestTenants.New());
        var ada = Customer(tenant, "ada");
        var bob = Customer(tenant, "bob");

        var created = await ada.CreateAsync(new CustomerProfile { DisplayName = "Ada", Tags = ["VIP"] }, Supervisor);
        await bob.CreateAsync(new CustomerProfile { DisplayName = "Bob" }, Supervisor);
        var edited = await ada.UpdateProfileAsync(created.Profile with { JobTitle = "Engineer" }, created.Version, Supervisor);
        await ada.UpdateProfileAsync(edited.Profile with { Tags = [] }, edited.Version, Supervisor);
        var bobNow = (await bob.GetAsync())!;
        await bob.UpdateProfileAsync(bobNow.Profile with { Tags = ["vip", "beta"] }, bobNow.Version, Supervisor);
        await bob.DeleteAsync(null, Supervisor);

        var changes = await ChangesAsync(heard, 4);

        Assert.Equal(
            ["ada in", "ada out", "bob in", "bob out"],
            changes.Select(c => $"{c.CustomerId} {(c.IsMember ? "in" : "out")}"));
        Assert.All(changes, c => Assert.Equal((vips.Id, vips.Version, SegmentMembershipCause.CustomerChanged), (c.SegmentId, c.SegmentVersion, c.Cause)));
        Assert.True(changes.Zip(changes.Skip(1)).Where(p => p.First.CustomerId == p.Second.CustomerId).All(p => p.First.CustomerSequence < p.Second.CustomerSequence));
        var all = await heard.DrainAsync(TimeSpan.FromSeconds(1));
        Assert.All(all, b => Assert.Equal(tenant, b.TenantId));
        Assert.Equal(4, all.Sum(b => b.Changes.Length));
        Assert.Empty(await strangers.DrainAsync(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task A_customer_leaves_a_segment_of_recent_contact_when_its_window_passes_with_nothing_changed()
    {
        var tenant = TestTenants.New();
        var recent = await CreateSegmentAsync(tenant, "Contacted just now", """{"field":"activity.lastContactAt","op":"within","value":"PT3S"}""");
        var heard = await SubscribeAsync(tenant);
        var ada = Customer(tenant, "ada");
        await ada.CreateAsync(new CustomerProfile { DisplayName = "Ada" }, Supervisor);
        await ada.AddInteractionAsync(new NewInteraction { Channel = InteractionChannel.Call, Subject = "Called", OccurredAt = DateTimeOffset.UtcNow, Agent = Supervisor });
        // Counters reach the list on the state's write-behind; this writes them now.
        await ada.ProjectAsync();
        var entered = (await ChangesAsync(heard, 1))[0];
        var clock = fixture.Grains.GetGrain<ISegmentClockGrain>(tenant);
        // It runs while Ada is in the window (and may say so again), and once after the window has passed her.
        await clock.FollowTimeAsync();
        var whileIn = (await heard.DrainAsync(TimeSpan.FromMilliseconds(500))).SelectMany(b => b.Changes).ToList();
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        await clock.FollowTimeAsync();
        var changes = (await Eventually.ReturnsAsync(
            async () => (await heard.DrainAsync(TimeSpan.FromMilliseconds(200))).SelectMany(b => b.Changes).ToList(),
            changes => changes.Count > whileIn.Count)).ToList();
        var left = changes[^1];

        Assert.All(whileIn, c => Assert.True(c.IsMember));
        Assert.False(left.IsMember);

        Assert.Equal(("ada", recent.Id, true, SegmentMembershipCause.CustomerChanged), (entered.CustomerId, entered.SegmentId, entered.IsMember, entered.Cause));
        Assert.Equal(("ada", recent.Id, SegmentMembershipCause.TimePassed), (left.CustomerId, left.SegmentId, left.Cause));
    }

    private static async Task<IReadOnlyList<SegmentMembershipChange>> ChangesAsync(Recorder<SegmentMembershipChanges> recorder, int count)
    {
        var batches = await recorder.WaitForAsync(1);
        while (batches.Sum(b => b.Changes.Length) < count)
        {
            batches = await recorder.WaitForAsync(batches.Count + 1);
        }

        return [.. batches.SelectMany(b => b.Changes)];
    }

    private ICustomerGrain Customer(string tenant, string id) =>
        fixture.Grains.GetGrain<ICustomerGrain>(new CustomerKey(tenant, id).ToString());

    private async Task<SavedSegment> CreateSegmentAsync(string tenant, string name, string rules)
    {
        var (rule, problems) = SegmentRules.Parse(JsonDocument.Parse(rules).RootElement, new Dictionary<string, FieldDefinition>());
        Assert.Empty(problems);
        var saved = await fixture.Grains.GetGrain<ISegmentsGrain>(tenant).CreateAsync(name, rule!, Supervisor);
        return saved.Segment!;
    }

    private async Task<Recorder<SegmentMembershipChanges>> SubscribeAsync(string tenant)
    {
        var recorder = new Recorder<SegmentMembershipChanges>();
        await fixture.Cluster.Client.GetStreamProvider(Constants.StreamProvider)
            .GetStream<SegmentMembershipChanges>(StreamId.Create(Constants.SegmentMembershipStreamNamespace, tenant))
            .SubscribeAsync((batch, _) =>
            {
                recorder.Record(batch);
                return Task.CompletedTask;
            });
        return recorder;
    }
}
