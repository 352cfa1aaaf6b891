using System.Collections.Immutable;
using Crm.Customers;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Crm.Timeline;
using Orleans.Streams;

namespace Crm.Tests.Customers;

[Collection(InMemoryClusterCollection.Name)]
public sealed class CustomerGrainTests(InMemoryClusterFixture fixture)
{
    private static readonly Actor Agent = new("u-1", "Alex Agent");
    private static readonly CustomerProfile Ada = new() { DisplayName = "Ada Lovelace", Emails = ["ada@example.com"] };

    [Fact]
    public async Task Creates_a_customer_at_version_1()
    {
        var grain = NewCustomer(out var key);

        var created = await grain.CreateAsync(Ada, Agent);
        var read = await grain.GetAsync();

        Assert.Equal(key.CustomerId, created.Id);
        Assert.Equal((1, 1), (created.Version, created.Sequence));
        Assert.Equal("Ada Lovelace", read!.Profile.DisplayName);
        Assert.Equal(Agent, read.CreatedBy);
    }

    [Fact]
    public async Task Refuses_to_create_the_same_customer_twice()
    {
        var grain = NewCustomer(out _);
        await grain.CreateAsync(Ada, Agent);

        await Assert.ThrowsAsync<CustomerAlreadyExistsException>(() => grain.CreateAsync(Ada with { DisplayName = "Impostor" }, Agent));
        Assert.Equal("Ada Lovelace", (await grain.GetAsync())!.Profile.DisplayName);
    }

    [Fact]
    public async Task A_customer_that_was_never_created_does_not_exist()
    {
        var grain = NewCustomer(out _);

        Assert.Null(await grain.GetAsync());
        await Assert.ThrowsAsync<CustomerNotFoundException>(() => grain.UpdateProfileAsync(Ada, 0, Agent));
        await Assert.ThrowsAsync<CustomerNotFoundException>(() => grain.AddInteractionAsync(Call()));
        await Assert.ThrowsAsync<CustomerNotFoundException>(() => grain.GetTimelineAsync(new TimelineQuery()));
    }

    [Fact]
    public async Task Applies_an_edit_only_to_the_version_it_was_based_on()
    {
        var grain = NewCustomer(out _);
        await grain.CreateAsync(Ada, Agent);

        var updated = await grain.UpdateProfileAsync(Ada with { Company = "Analytical Engines" }, expectedVersion: 1, Agent);
        var conflict = await Assert.ThrowsAsync<VersionConflictException>(() => grain.UpdateProfileAsync(Ada with { Company = "Stale" }, expectedVersion: 1, Agent));

        Assert.Equal((2, 2), (updated.Version, updated.Sequence));
        Assert.Equal(2, conflict.CurrentVersion);
        Assert.Equal("Analytical Engines", (await grain.GetAsync())!.Profile.Company);
    }

    [Fact]
    public async Task A_deleted_customer_is_gone_for_reads_and_writes()
    {
        var grain = NewCustomer(out _);
        await grain.CreateAsync(Ada, Agent);

        await grain.DeleteAsync(expectedVersion: 1, Agent);

        Assert.Null(await grain.GetAsync());
        await Assert.ThrowsAsync<CustomerNotFoundException>(() => grain.AddInteractionAsync(Call()));
        await Assert.ThrowsAsync<CustomerAlreadyExistsException>(() => grain.CreateAsync(Ada, Agent));
    }

    [Fact]
    public async Task Numbers_interactions_and_counts_them_by_channel()
    {
        var grain = NewCustomer(out _);
        await grain.CreateAsync(Ada, Agent);
        var callAt = new DateTimeOffset(2026, 1, 2, 10, 0, 0, TimeSpan.Zero);

        var call = await grain.AddInteractionAsync(Call() with { OccurredAt = callAt });
        var note = await grain.AddInteractionAsync(Call() with { Channel = InteractionChannel.Note, OccurredAt = callAt.AddDays(1) });
        var customer = (await grain.GetAsync())!;

        Assert.Equal((2, 3), (call.Interaction.Sequence, note.Interaction.Sequence));
        Assert.True(call.Created && note.Created);
        Assert.Equal(2, customer.Activity.TotalInteractions);
        Assert.Equal(1, customer.Activity.InteractionsByChannel[InteractionChannel.Call]);
        Assert.Equal(callAt, customer.Activity.LastContactAt);
        Assert.Equal(callAt.AddDays(1), customer.Activity.LastInteractionAt);
        Assert.Equal(3, customer.Sequence);
    }

    [Fact]
    public async Task Records_an_external_id_once()
    {
        var grain = NewCustomer(out _);
        await grain.CreateAsync(Ada, Agent);

        var first = await grain.AddInteractionAsync(Call() with { ExternalId = "pbx-1", Subject = "first" });
        var retry = await grain.AddInteractionAsync(Call() with { ExternalId = "pbx-1", Subject = "retry" });

        Assert.False(retry.Created);
        Assert.Equal(first.Interaction.Id, retry.Interaction.Id);
        Assert.Equal("first", retry.Interaction.Subject);
        Assert.Equal(1, (await grain.GetAsync())!.Activity.TotalInteractions);
    }

    [Fact]
    public async Task Refuses_an_external_id_that_belongs_to_another_customer()
    {
        var one = NewCustomer(out var key);
        var other = fixture.Grains.GetGrain<ICustomerGrain>(new CustomerKey(key.TenantId, "other-" + key.CustomerId).ToString());
        await one.CreateAsync(Ada, Agent);
        await other.CreateAsync(Ada, Agent);
        var externalId = "ticket-" + Guid.NewGuid();
        await one.AddInteractionAsync(Call() with { ExternalId = externalId });

        await Assert.ThrowsAsync<ExternalIdConflictException>(() => other.AddInteractionAsync(Call() with { ExternalId = externalId }));
        Assert.Equal(0, (await other.GetAsync())!.Activity.TotalInteractions);
    }

    [Fact]
    public async Task Tells_a_watcher_what_it_missed_in_order_with_the_profile_at_its_place()
    {
        var grain = NewCustomer(out _);
        await grain.CreateAsync(Ada, Agent);                                        // 1
        await grain.AddInteractionAsync(Call());                                    // 2
        await grain.UpdateProfileAsync(Ada with { Company = "A" }, 1, Agent);       // 3, superseded by 5
        await grain.AddInteractionAsync(Call());                                    // 4
        await grain.UpdateProfileAsync(Ada with { Company = "B" }, 2, Agent);       // 5
        await grain.AddInteractionAsync(Call());                                    // 6

        var missed = await grain.GetChangesSinceAsync(afterSequence: 2, limit: 100);
        var firstTwo = await grain.GetChangesSinceAsync(afterSequence: 2, limit: 2);

        Assert.Equal(6, missed.LatestSequence);
        Assert.Equal([4, 5, 6], missed.Events.Select(e => e.Sequence));
        Assert.Equal("B", Assert.IsType<CustomerChanged>(missed.Events[1]).Customer.Profile.Company);
        Assert.Equal([4, 5], firstTwo.Events.Select(e => e.Sequence));
        Assert.Empty((await grain.GetChangesSinceAsync(afterSequence: 6, limit: 100)).Events);
    }

    [Fact]
    public async Task Reads_older_changes_from_the_timeline_beyond_what_the_grain_keeps()
    {
        var grain = NewCustomer(out _);
        await grain.CreateAsync(Ada, Agent);
        for (var i = 0; i < 30; i++)
        {
            await grain.AddInteractionAsync(Call() with { Subject = $"call {i}" });
        }

        var all = await grain.GetChangesSinceAsync(afterSequence: 0, limit: 100);
        var recent = await grain.GetChangesSinceAsync(afterSequence: 29, limit: 100);

        Assert.Equal(Enumerable.Range(1, 31).Select(i => (long)i), all.Events.Select(e => e.Sequence));
        Assert.Equal([30, 31], recent.Events.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Pages_the_timeline_newest_first()
    {
        var grain = NewCustomer(out _);
        await grain.CreateAsync(Ada, Agent);
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 5; i++)
        {
            await grain.AddInteractionAsync(Call() with { OccurredAt = t0.AddHours(i), Subject = $"#{i}" });
        }

        var first = await grain.GetTimelineAsync(new TimelineQuery { Limit = 3 });
        var rest = await grain.GetTimelineAsync(new TimelineQuery { Limit = 3, After = first.Next });

        Assert.Equal(["#4", "#3", "#2"], first.Items.Select(i => i.Subject));
        Assert.Equal(["#1", "#0"], rest.Items.Select(i => i.Subject));
        Assert.Null(rest.Next);
    }

    [Fact]
    public async Task Publishes_every_change_on_the_customer_stream()
    {
        var grain = NewCustomer(out var key);
        var events = new Recorder<CustomerEvent>();
        var stream = fixture.Cluster.Client.GetStreamProvider(Constants.StreamProvider)
            .GetStream<CustomerEvent>(StreamId.Create(Constants.CustomerStreamNamespace, key.ToString()));
        var subscription = await stream.SubscribeAsync((e, _) =>
        {
            events.Record(e);
            return Task.CompletedTask;
        });

        var created = await grain.CreateAsync(Ada, Agent);
        await grain.WatchAsync();
        await grain.UpdateProfileAsync(Ada with { Company = "Analytical Engines" }, created.Version, Agent);
        await grain.AddInteractionAsync(Call() with { Subject = "hello" });
        await grain.DeleteAsync(null, Agent);
        var received = await events.WaitForAsync(3);
        await subscription.UnsubscribeAsync();

        Assert.Equal([2, 3, 4], received.Select(e => e.Sequence));
        Assert.IsType<CustomerChanged>(received[0]);
        Assert.Equal("hello", Assert.IsType<InteractionAdded>(received[1]).Interaction.Subject);
        Assert.IsType<CustomerDeleted>(received[2]);
    }

    private ICustomerGrain NewCustomer(out CustomerKey key)
    {
        key = new CustomerKey(TestTenants.New(), "c" + Guid.NewGuid().ToString("N")[..12]);
        return fixture.Grains.GetGrain<ICustomerGrain>(key.ToString());
    }

    private static NewInteraction Call() => new()
    {
        Channel = InteractionChannel.Call,
        Direction = InteractionDirection.Inbound,
        OccurredAt = new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero),
        Agent = Agent,
        DurationSeconds = 60,
        Metadata = ImmutableDictionary<string, string>.Empty,
    };
}
