using System.Collections.Immutable;
using System.Text.Json;
using Crm.Customers;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Crm.Timeline;

namespace Crm.Tests.Timeline;

/// <summary>What every <see cref="ITimelineStore"/> does; run against each implementation.</summary>
public abstract class TimelineStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    protected abstract ITimelineStore Store { get; }

    [Fact]
    public async Task Reads_newest_first_by_when_it_happened_so_late_entries_take_their_place()
    {
        var customer = NewCustomer();
        await Store.AppendAsync(customer, Entry(customer, 1, T0.AddHours(2)));
        await Store.AppendAsync(customer, Entry(customer, 2, T0.AddHours(3)));
        await Store.AppendAsync(customer, Entry(customer, 3, T0.AddHours(1)));   // recorded last, happened first
        await Store.AppendAsync(customer, Entry(customer, 4, T0.AddHours(3)));   // same instant as 2: newer sequence first

        var page = await Store.ReadAsync(customer, new TimelineQuery { Limit = 10 });

        Assert.Equal([4, 2, 1, 3], page.Items.Select(i => i.Sequence));
        Assert.Null(page.Next);
    }

    [Fact]
    public async Task Pages_through_the_whole_timeline_without_gaps_or_repeats()
    {
        var customer = NewCustomer();
        for (var sequence = 1; sequence <= 25; sequence++)
        {
            await Store.AppendAsync(customer, Entry(customer, sequence, T0.AddMinutes(sequence % 7)));
        }

        var seen = new List<Interaction>();
        TimelineCursor? cursor = null;
        do
        {
            var page = await Store.ReadAsync(customer, new TimelineQuery { After = cursor, Limit = 10 });
            Assert.True(page.Items.Length <= 10);
            seen.AddRange(page.Items);
            cursor = page.Next;
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Range(1, 25), seen.Select(i => (int)i.Sequence).Order());
        Assert.Equal(seen.OrderByDescending(i => i.OccurredAt).ThenByDescending(i => i.Sequence).Select(i => i.Sequence), seen.Select(i => i.Sequence));
    }

    [Fact]
    public async Task Filters_by_channel()
    {
        var customer = NewCustomer();
        await Store.AppendAsync(customer, Entry(customer, 1, T0, InteractionChannel.Call));
        await Store.AppendAsync(customer, Entry(customer, 2, T0.AddMinutes(1), InteractionChannel.Email));
        await Store.AppendAsync(customer, Entry(customer, 3, T0.AddMinutes(2), InteractionChannel.Call));

        var calls = await Store.ReadAsync(customer, new TimelineQuery { Channel = InteractionChannel.Call, Limit = 1 });
        var more = await Store.ReadAsync(customer, new TimelineQuery { Channel = InteractionChannel.Call, Limit = 1, After = calls.Next });

        Assert.Equal([3], calls.Items.Select(i => i.Sequence));
        Assert.Equal([1], more.Items.Select(i => i.Sequence));
        Assert.Null(more.Next);
    }

    [Fact]
    public async Task Stores_an_external_id_once_per_tenant()
    {
        var customer = NewCustomer();
        var first = await Store.AppendAsync(customer, Entry(customer, 1, T0) with { ExternalId = "call-42", Subject = "first" });
        var again = await Store.AppendAsync(customer, Entry(customer, 2, T0) with { ExternalId = "call-42", Subject = "second" });
        var sibling = new CustomerKey(customer.TenantId, "sibling");
        var fromSibling = await Store.AppendAsync(sibling, Entry(sibling, 1, T0) with { ExternalId = "call-42" });
        var otherTenant = new CustomerKey(TestTenants.New(), customer.CustomerId);
        var elsewhere = await Store.AppendAsync(otherTenant, Entry(otherTenant, 1, T0) with { ExternalId = "call-42" });

        Assert.True(first.Created);
        Assert.False(again.Created);
        Assert.Equal("first", again.Interaction.Subject);
        Assert.Equal(first.Interaction.Id, again.Interaction.Id);
        Assert.False(fromSibling.Created);
        Assert.Equal(customer.CustomerId, fromSibling.Interaction.CustomerId);
        Assert.True(elsewhere.Created);
        Assert.Single((await Store.ReadAsync(customer, new TimelineQuery())).Items);
        Assert.Empty((await Store.ReadAsync(sibling, new TimelineQuery())).Items);
    }

    [Fact]
    public async Task Refuses_a_sequence_number_that_is_taken()
    {
        var customer = NewCustomer();
        await Store.AppendAsync(customer, Entry(customer, 1, T0));

        await Assert.ThrowsAnyAsync<Exception>(() => Store.AppendAsync(customer, Entry(customer, 1, T0)));
    }

    [Fact]
    public async Task Concurrent_appends_succeed_or_fail_each_on_their_own()
    {
        var tenant = TestTenants.New();
        var taken = new CustomerKey(tenant, "taken");
        await Store.AppendAsync(taken, Entry(taken, 1, T0));
        var customers = Enumerable.Range(0, 200).Select(i => new CustomerKey(tenant, $"c{i}")).ToList();

        // Appended together, as many customers' appends are under load: one reuses a taken number, two share an external id.
        var appends = customers.Select(c => Store.AppendAsync(c, Entry(c, 1, T0))).ToList();
        var stale = Store.AppendAsync(taken, Entry(taken, 1, T0));
        var twins = customers.Take(2).Select(c => Store.AppendAsync(c, Entry(c, 2, T0) with { ExternalId = "ticket-7" })).ToList();

        await Assert.ThrowsAnyAsync<Exception>(() => stale);
        Assert.All(await Task.WhenAll(appends), a => Assert.True(a.Created));
        var twinResults = await Task.WhenAll(twins);
        Assert.Single(twinResults, t => t.Created);
        Assert.Equal(twinResults[0].Interaction.Id, twinResults[1].Interaction.Id);
        foreach (var customer in customers)
        {
            Assert.NotEmpty((await Store.ReadAsync(customer, new TimelineQuery())).Items);
        }
    }

    [Fact]
    public async Task Reads_what_came_after_a_sequence_number_oldest_first()
    {
        var customer = NewCustomer();
        foreach (var sequence in new long[] { 1, 2, 4, 7, 8 })
        {
            await Store.AppendAsync(customer, Entry(customer, sequence, T0.AddDays(-sequence)));
        }

        var since = await Store.ReadSinceAsync(customer, afterSequence: 2, limit: 2);

        Assert.Equal([4, 7], since.Select(i => i.Sequence));
        Assert.Empty(await Store.ReadSinceAsync(customer, afterSequence: 8, limit: 10));
    }

    [Fact]
    public async Task Reads_the_latest_by_sequence_number_oldest_first()
    {
        var customer = NewCustomer();
        Assert.Empty(await Store.ReadLatestAsync(customer, limit: 3));
        foreach (var sequence in new long[] { 1, 2, 4, 7, 8 })
        {
            // Older by when it happened as the sequence grows: "latest" is by sequence, not by occurred_at.
            await Store.AppendAsync(customer, Entry(customer, sequence, T0.AddDays(-sequence)));
        }

        Assert.Equal([4, 7, 8], (await Store.ReadLatestAsync(customer, limit: 3)).Select(i => i.Sequence));
        Assert.Equal([1, 2, 4, 7, 8], (await Store.ReadLatestAsync(customer, limit: 10)).Select(i => i.Sequence));
        Assert.Empty(await Store.ReadLatestAsync(NewCustomer(), limit: 3));
    }

    [Fact]
    public async Task Keeps_every_field()
    {
        var customer = NewCustomer();
        var entry = Entry(customer, 1, T0) with
        {
            Direction = InteractionDirection.Outbound,
            Agent = new Actor("u-1", "Alex Agent"),
            RecordedBy = new Actor("u-2", "Integration"),
            Subject = "Billing question",
            Body = "Wants to change the card on file. Ünïcödé ✓",
            DurationSeconds = 340,
            Outcome = "resolved",
            ExternalId = "ext-" + Guid.NewGuid(),
            Metadata = ImmutableDictionary<string, string>.Empty.Add("queue", "billing").Add("ivr", "2"),
            EventType = "track",
        };
        await Store.AppendAsync(customer, entry);

        var read = (await Store.ReadAsync(customer, new TimelineQuery())).Items.Single();
        var found = await Store.FindAsync(customer, entry.Id);

        Assert.Equal(Normalize(entry), Normalize(read));
        Assert.Equal(Normalize(entry), Normalize(found!));
    }

    [Fact]
    public async Task Finds_an_interaction_only_through_its_own_customer_and_tenant()
    {
        var customer = NewCustomer();
        var entry = Entry(customer, 1, T0);
        await Store.AppendAsync(customer, entry);

        Assert.NotNull(await Store.FindAsync(customer, entry.Id));
        Assert.Null(await Store.FindAsync(new CustomerKey(customer.TenantId, "someone-else"), entry.Id));
        Assert.Null(await Store.FindAsync(new CustomerKey(TestTenants.New(), customer.CustomerId), entry.Id));
        Assert.Null(await Store.FindAsync(customer, Guid.NewGuid()));
    }

    [Fact]
    public async Task Keeps_tenants_apart_even_for_the_same_customer_id()
    {
        var mine = NewCustomer();
        var theirs = new CustomerKey(TestTenants.New(), mine.CustomerId);
        await Store.AppendAsync(mine, Entry(mine, 1, T0) with { Subject = "mine" });
        await Store.AppendAsync(theirs, Entry(theirs, 1, T0) with { Subject = "theirs" });

        Assert.Equal(["mine"], (await Store.ReadAsync(mine, new TimelineQuery())).Items.Select(i => i.Subject));
        Assert.Equal(["mine"], (await Store.ReadSinceAsync(mine, 0, 10)).Select(i => i.Subject));
    }

    [Fact]
    public async Task Moves_a_customers_interactions_to_another_numbered_after_its_own()
    {
        var (from, to) = (NewCustomer(), NewCustomer() with { });
        to = new CustomerKey(from.TenantId, to.CustomerId);
        await Store.AppendAsync(to, Entry(to, 1, T0));
        await Store.AppendAsync(from, Entry(from, 1, T0.AddHours(1)) with { ExternalId = "page-1", Subject = "a" });
        await Store.AppendAsync(from, Entry(from, 3, T0.AddHours(2)) with { Subject = "b" });

        var moved = await Store.MoveAsync(from, to, firstSequence: 2);

        Assert.Equal([(2L, "a"), (3L, "b")], moved.Select(i => (i.Sequence, i.Subject!)));
        Assert.Empty((await Store.ReadAsync(from, new TimelineQuery())).Items);
        Assert.Equal([3, 2, 1], (await Store.ReadAsync(to, new TimelineQuery())).Items.Select(i => i.Sequence));
        Assert.All(moved, i => Assert.Equal(to.CustomerId, i.CustomerId));
        var again = await Store.AppendAsync(to, Entry(to, 4, T0) with { ExternalId = "page-1" });
        Assert.False(again.Created);
        Assert.Equal(2, again.Interaction.Sequence);
        Assert.Empty(await Store.MoveAsync(from, to, firstSequence: 4));
    }

    [Fact]
    public async Task Moves_a_merged_customers_interactions_back_with_their_own_numbers_and_leaves_the_rest()
    {
        var merged = NewCustomer();
        var survivor = new CustomerKey(merged.TenantId, "survivor");
        var other = new CustomerKey(merged.TenantId, "other");
        var mergeId = Guid.NewGuid();
        await Store.AppendAsync(survivor, Entry(survivor, 1, T0) with { Subject = "survivor's own" });
        await Store.AppendAsync(merged, Entry(merged, 1, T0.AddHours(1)) with { Subject = "merged 1", ExternalId = "m-1" });
        await Store.AppendAsync(merged, Entry(merged, 2, T0.AddHours(2)) with { Subject = "merged 2" });
        await Store.AppendAsync(other, Entry(other, 1, T0.AddHours(3)) with { Subject = "other" });
        await Store.MoveAsync(merged, survivor, firstSequence: 2, mergeId);
        await Store.MoveAsync(other, survivor, firstSequence: 4, mergeId);
        await Store.AppendAsync(survivor, Entry(survivor, 5, T0.AddHours(4)) with { Subject = "after the merge" });

        var back = await Store.MoveBackAsync(survivor, mergeId, merged.CustomerId);

        Assert.Equal([(1L, "merged 1"), (2L, "merged 2")], back.OrderBy(i => i.Sequence).Select(i => (i.Sequence, i.Subject!)));
        Assert.All(back, i => Assert.Equal(merged.CustomerId, i.CustomerId));
        Assert.Equal([2, 1], (await Store.ReadAsync(merged, new TimelineQuery())).Items.Select(i => i.Sequence));
        Assert.Equal(["after the merge", "other", "survivor's own"], (await Store.ReadAsync(survivor, new TimelineQuery())).Items.Select(i => i.Subject));
        Assert.False((await Store.AppendAsync(merged, Entry(merged, 3, T0) with { ExternalId = "m-1" })).Created);
        Assert.Empty(await Store.MoveBackAsync(survivor, mergeId, merged.CustomerId));
    }

    [Fact]
    public async Task Reads_one_channel_across_a_tenants_customers_by_customer_then_sequence_a_page_at_a_time()
    {
        var tenant = TestTenants.New();
        var (a, b, c) = (new CustomerKey(tenant, "a1"), new CustomerKey(tenant, "b2"), new CustomerKey(tenant, "c3"));
        await Store.AppendAsync(b, [Entry(b, 1, T0, InteractionChannel.Order), Entry(b, 2, T0, InteractionChannel.Call), Entry(b, 3, T0.AddHours(-1), InteractionChannel.Order)]);
        await Store.AppendAsync(a, [Entry(a, 1, T0, InteractionChannel.Order), Entry(a, 2, T0, InteractionChannel.Order)]);
        await Store.AppendAsync(c, [Entry(c, 1, T0, InteractionChannel.Email)]);
        var elsewhere = new CustomerKey(TestTenants.New(), "a1");
        await Store.AppendAsync(elsewhere, [Entry(elsewhere, 1, T0, InteractionChannel.Order)]);

        var read = new List<(string, long)>();
        TimelinePosition? after = null;
        while (true)
        {
            var page = await Store.ReadChannelAsync(tenant, InteractionChannel.Order, after, limit: 3);
            read.AddRange(page.Select(i => (i.CustomerId, i.Sequence)));
            if (page.Count < 3)
            {
                break;
            }

            after = TimelinePosition.Of(page[^1]);
        }

        Assert.Equal([("a1", 1L), ("a1", 2L), ("b2", 1L), ("b2", 3L)], read);
        Assert.Empty(await Store.ReadChannelAsync(tenant, InteractionChannel.Chat, null, 10));
    }

    private static CustomerKey NewCustomer() => new(TestTenants.New(), "c" + Guid.NewGuid().ToString("N")[..12]);

    private static Interaction Entry(CustomerKey customer, long sequence, DateTimeOffset occurredAt, InteractionChannel channel = InteractionChannel.Note) => new()
    {
        Id = Guid.CreateVersion7(),
        CustomerId = customer.CustomerId,
        Sequence = sequence,
        Channel = channel,
        Direction = InteractionDirection.Internal,
        OccurredAt = occurredAt,
        RecordedAt = T0.AddDays(1),
    };

    private static string Normalize(Interaction interaction) =>
        JsonSerializer.Serialize(interaction with { Metadata = ImmutableDictionary<string, string>.Empty })
        + string.Join(",", interaction.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal));
}

public sealed class InMemoryTimelineStoreTests : TimelineStoreContract
{
    protected override ITimelineStore Store { get; } = new InMemoryTimelineStore();
}

public sealed class PostgresTimelineStoreTests(MigratedDatabaseFixture database) : TimelineStoreContract, IClassFixture<MigratedDatabaseFixture>, IAsyncDisposable
{
    private readonly PostgresTimelineStore _store = new(database.DataSource);

    protected override ITimelineStore Store => _store;

    public ValueTask DisposeAsync() => _store.DisposeAsync();
}
