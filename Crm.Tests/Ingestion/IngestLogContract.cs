using Crm.Ingestion;
using Crm.Tests.Infrastructure;
using Npgsql;

namespace Crm.Tests.Ingestion;

/// <summary>What every <see cref="IIngestLog"/> does; run against each implementation.</summary>
public abstract class IngestLogContract
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    protected abstract IIngestLog Log { get; }

    [Fact]
    public async Task Stores_a_message_id_once_per_tenant_even_within_one_append()
    {
        var (tenant, other) = (TestTenants.New(), TestTenants.New());

        var first = await Log.AppendAsync([Event(tenant, "m1"), Event(tenant, "m2"), Event(tenant, "m1")]);
        var again = await Log.AppendAsync([Event(tenant, "m2"), Event(other, "m1")]);

        Assert.Equal([true, true, false], first);
        Assert.Equal([false, true], again);
    }

    [Fact]
    public async Task Reads_each_partition_in_order_from_a_checkpoint()
    {
        var tenant = TestTenants.New();
        var events = Enumerable.Range(0, 40).Select(i => Event(tenant, $"m{i:00}")).ToList();
        await Log.AppendAsync(events.Take(25).ToList());
        await Log.AppendAsync(events.Skip(25).ToList());

        var read = new List<string>();
        for (var partition = 0; partition < Log.Partitions; partition++)
        {
            var checkpoint = IngestCheckpoint.Start;
            while (true)
            {
                var page = (await Log.ReadAsync(partition, checkpoint, 3)).Where(r => r.Event.TenantId == tenant).ToList();
                var all = await Log.ReadAsync(partition, checkpoint, 3);
                if (all.Count == 0)
                {
                    break;
                }

                Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Position.CompareTo(p.Second.Position) < 0));
                Assert.All(page, r => Assert.Equal(partition, r.Event.PartitionOf(Log.Partitions)));
                read.AddRange(page.Select(r => r.Event.Event.MessageId));
                checkpoint = all[^1].Position;
            }
        }

        Assert.Equal(events.Select(e => e.Event.MessageId).Order(), read.Order());
        Assert.True(read.Distinct().Count() == read.Count);
    }

    [Fact]
    public async Task Forgets_old_applied_messages_after_the_window_so_their_ids_are_new_again()
    {
        var tenant = TestTenants.New();
        var old = Event(tenant, "old") with { Event = Event(tenant, "old").Event with { ReceivedAt = T0.AddDays(-10) } };
        await Log.AppendAsync([old, Event(tenant, "fresh")]);

        await PruneEverywhereAsync(T0.AddDays(-7), appliedUpTo: null);

        var result = await Log.AppendAsync([Event(tenant, "old"), Event(tenant, "fresh")]);
        Assert.Equal([true, false], result);
    }

    [Fact]
    public async Task Never_forgets_an_event_not_applied_yet_or_one_that_is_parked_however_old()
    {
        var tenant = TestTenants.New();
        var stuck = Aged(Event(tenant, "stuck"), days: 30);
        var parked = Aged(Event(tenant, "parked") with { Event = Event(tenant, "parked").Event with { Identities = [new Identity(IdentityKind.User, "u-2")] } }, days: 30);
        await Log.AppendAsync([stuck, parked]);
        var rows = await AllAsync(tenant);
        var stuckAt = rows.Single(r => r.Event.Event.MessageId == "stuck").Position;
        var parkedAt = rows.Single(r => r.Event.Event.MessageId == "parked").Position;

        // The partition of "stuck" has not applied it (its checkpoint is just before it); "parked" was passed over, kept aside.
        await Log.ParkAsync(parked.PartitionOf(Log.Partitions), [Parked(tenant, parkedAt.Position, "parked", "it fails")]);
        var removed = 0L;
        for (var partition = 0; partition < Log.Partitions; partition++)
        {
            var appliedUpTo = partition == stuck.PartitionOf(Log.Partitions) ? new IngestCheckpoint(stuckAt.Position - 1) : new IngestCheckpoint(long.MaxValue);
            removed += await Log.PruneAsync(partition, T0, appliedUpTo);
        }

        Assert.Equal(0, removed);
        Assert.Equal(["parked", "stuck"], (await AllAsync(tenant)).Select(r => r.Event.Event.MessageId).Order());
    }

    [Fact]
    public async Task Keeps_any_number_of_parked_events_in_order_records_them_again_and_lets_them_go()
    {
        var tenant = TestTenants.New();
        var partition = Log.Partitions - 1;
        var first = (await Log.ParkedAsync(partition, long.MinValue, int.MaxValue)).Count;
        var positions = Enumerable.Range(0, 1500).Select(i => long.MaxValue / 2 + i * 7L).ToList();
        await Log.ParkAsync(partition, [.. positions.Select(p => Parked(tenant, p, $"m-{p}", "fails"))]);

        // Parked again, as after a crash or a retry that failed: the latest reason and attempts, one entry.
        await Log.ParkAsync(partition, [Parked(tenant, positions[0], $"m-{positions[0]}", "fails \0 worse") with { Attempts = 6 }]);

        var mine = (await Log.ParkedAsync(partition, long.MaxValue / 2 - 1, 2000)).Where(p => p.TenantId == tenant).ToList();
        Assert.Equal(positions, mine.Select(p => p.Position));
        Assert.Equal(6, mine[0].Attempts);
        Assert.StartsWith("fails", mine[0].Reason);
        Assert.Equal(first + 1500, await Log.ParkedCountAsync(partition));
        Assert.Equal(positions.Skip(1000).Take(10), (await Log.ParkedAsync(partition, positions[999], 10)).Select(p => p.Position));

        await Log.UnparkAsync(partition, positions);
        Assert.Equal(first, await Log.ParkedCountAsync(partition));
    }

    private static ParkedEvent Parked(string tenant, long position, string messageId, string reason) =>
        new(position, tenant, messageId, reason, T0, Attempts: 3);

    private async Task PruneEverywhereAsync(DateTimeOffset receivedBefore, IngestCheckpoint? appliedUpTo)
    {
        for (var partition = 0; partition < Log.Partitions; partition++)
        {
            await Log.PruneAsync(partition, receivedBefore, appliedUpTo ?? new IngestCheckpoint(long.MaxValue));
        }
    }

    private async Task<List<(IngestCheckpoint Position, LoggedEvent Event)>> AllAsync(string tenant)
    {
        var rows = new List<(IngestCheckpoint, LoggedEvent)>();
        for (var partition = 0; partition < Log.Partitions; partition++)
        {
            rows.AddRange((await Log.ReadAsync(partition, IngestCheckpoint.Start, 100_000)).Where(r => r.Event.TenantId == tenant));
        }

        return rows;
    }

    private static LoggedEvent Aged(LoggedEvent logged, int days) => logged with { Event = logged.Event with { ReceivedAt = T0.AddDays(-days) } };

    protected static LoggedEvent Event(string tenant, string messageId) => new(tenant, new IngestEvent
    {
        MessageId = messageId,
        SourceId = Guid.Empty,
        SourceName = "test",
        Type = IngestEventType.Track,
        Identities = [new Identity(IdentityKind.User, "u-1")],
        Name = "Tested",
        Timestamp = T0,
        ReceivedAt = T0,
        Interaction = new Crm.Timeline.NewInteraction { Channel = Crm.Timeline.InteractionChannel.Web, Subject = "Tested", OccurredAt = T0, ExternalId = messageId },
    });
}

public sealed class InMemoryIngestLogTests : IngestLogContract
{
    protected override IIngestLog Log { get; } = new InMemoryIngestLog();
}

public sealed class PostgresIngestLogTests(MigratedDatabaseFixture database) : IngestLogContract, IClassFixture<MigratedDatabaseFixture>
{
    protected override IIngestLog Log { get; } = new PostgresIngestLog(database.DataSource);

    [Fact]
    public async Task Writers_to_a_partition_take_turns_so_an_earlier_position_never_shows_up_late()
    {
        var tenant = TestTenants.New();
        var slow = Event(tenant, "slow");
        var partition = slow.PartitionOf(Log.Partitions);
        var fast = Event(tenant, "fast");
        var start = await LatestAsync(partition);

        // A writer that has its turn and has not committed yet.
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var turn = new NpgsqlCommand(PostgresIngestLog.LockPartitionsSql, connection))
        {
            turn.Parameters.AddWithValue(new[] { partition });
            await turn.ExecuteNonQueryAsync();
        }

        await using (var insert = new NpgsqlCommand(
            "INSERT INTO crm_ingest_events (partition_no, tenant_id, message_id, received_at, payload) VALUES ($1, $2, 'slow', now(), $3)", connection))
        {
            insert.Parameters.AddWithValue(partition);
            insert.Parameters.AddWithValue(tenant);
            insert.Parameters.AddWithValue(IngestEventJson.Serialize(slow.Event));
            await insert.ExecuteNonQueryAsync();
        }

        var appending = Log.AppendAsync([fast]);
        var meanwhile = await Log.ReadAsync(partition, start, 100);
        var waited = !appending.IsCompleted;
        await transaction.CommitAsync();
        await appending;
        var afterwards = await Log.ReadAsync(partition, start, 100);

        Assert.True(waited, "The second writer did not wait for its turn.");
        Assert.DoesNotContain(meanwhile, r => r.Event.TenantId == tenant);
        Assert.Equal(["slow", fast.Event.MessageId], afterwards.Where(r => r.Event.TenantId == tenant).Select(r => r.Event.Event.MessageId));
    }

    [Fact]
    public async Task A_row_that_no_longer_reads_comes_back_unreadable_and_the_rows_after_it_still_read()
    {
        var tenant = TestTenants.New();
        var after = Event(tenant, "after");
        var partition = after.PartitionOf(Log.Partitions);
        var start = await LatestAsync(partition);
        // An older format's row that the conversion cannot make sense of: a context that is a list, not an object.
        await using (var insert = database.DataSource.CreateCommand(
            "INSERT INTO crm_ingest_events (partition_no, tenant_id, message_id, received_at, legacy_event) VALUES ($1, $2, 'broken', now(), '{\"type\": 1, \"messageId\": \"order.placed:1\", \"context\": [1]}')"))
        {
            insert.Parameters.AddWithValue(partition);
            insert.Parameters.AddWithValue(tenant);
            await insert.ExecuteNonQueryAsync();
        }

        await Log.AppendAsync([after]);
        var rows = (await Log.ReadAsync(partition, start, 100)).Where(r => r.Event.TenantId == tenant).ToList();

        Assert.Equal(2, rows.Count);
        Assert.NotNull(rows[0].Event.Problem);
        Assert.Equal("broken", rows[0].Event.Event.MessageId);
        Assert.Null(rows[1].Event.Problem);
    }

    private async Task<IngestCheckpoint> LatestAsync(int partition)
    {
        var checkpoint = IngestCheckpoint.Start;
        while (await Log.ReadAsync(partition, checkpoint, 1000) is { Count: > 0 } rows)
        {
            checkpoint = rows[^1].Position;
        }

        return checkpoint;
    }
}
