using Crm.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Ingestion;

/// <summary>
/// The ingest log in table crm_ingest_events, unique on (tenant, message id), read by (partition, position). Writers to
/// a partition take turns: each transaction takes the advisory locks of the partitions it writes before it draws
/// positions, so positions become visible in increasing order and a reader that has read up to a position never finds
/// an earlier one later. One person's events share a partition, so a message sent again by the same person waits for
/// the turn of the first and is found by the duplicate check; group commit makes the turns large.
/// </summary>
public sealed class PostgresIngestLog(NpgsqlDataSource dataSource) : IIngestLog
{
    public const int PartitionCount = 8;

    /// <summary>Every writer runs this first in its transaction, with the partitions it writes to, in order (no deadlocks).</summary>
    public const string LockPartitionsSql = "SELECT pg_advisory_xact_lock(1129466700, p) FROM unnest($1::int[]) AS p ORDER BY p";

    private const string UniqueViolation = "23505";

    public int Partitions => PartitionCount;

    public async Task<bool[]> AppendAsync(IReadOnlyList<LoggedEvent> events, CancellationToken cancellationToken = default)
    {
        var partitions = events.Select(e => e.PartitionOf(PartitionCount)).ToArray();
        var payloads = events.Select(e => IngestEventJson.Serialize(e.Event)).ToArray();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await AppendOnceAsync(events, partitions, payloads, cancellationToken);
            }
            catch (PostgresException ex) when (ex.SqlState == UniqueViolation && attempt < 3)
            {
                // The same message id from another person, committed meanwhile under another partition's turn: the
                // next attempt's duplicate check finds it.
            }
        }
    }

    private async Task<bool[]> AppendOnceAsync(IReadOnlyList<LoggedEvent> events, int[] partitions, byte[][] payloads, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var turn = new NpgsqlCommand(LockPartitionsSql, connection))
        {
            turn.Parameters.AddWithValue(partitions.Distinct().ToArray());
            await turn.ExecuteNonQueryAsync(cancellationToken);
        }

        var isNew = await NewOnesAsync(connection, events, cancellationToken);
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY crm_ingest_events (tenant_id, message_id, partition_no, received_at, payload) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (var i = 0; i < events.Count; i++)
            {
                if (!isNew[i])
                {
                    continue;
                }

                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(events[i].TenantId, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(events[i].Event.MessageId, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(partitions[i], NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(events[i].Event.ReceivedAt, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(payloads[i], NpgsqlDbType.Bytea, cancellationToken);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return isNew;
    }

    /// <summary>Which events the log does not hold yet; a message sent twice in one batch is new once, the first time.</summary>
    private static async Task<bool[]> NewOnesAsync(NpgsqlConnection connection, IReadOnlyList<LoggedEvent> events, CancellationToken cancellationToken)
    {
        var isNew = new bool[events.Count];
        var seen = new HashSet<(string, string)>();
        for (var i = 0; i < events.Count; i++)
        {
            isNew[i] = seen.Add((events[i].TenantId, events[i].Event.MessageId));
        }

        // One primary-key probe a message (LIMIT keeps the planner from turning the probes into a scan of the whole log).
        await using var existing = new NpgsqlCommand("""
            SELECT m.tenant_id, m.message_id
            FROM unnest($1::text[], $2::text[]) AS m(tenant_id, message_id)
            CROSS JOIN LATERAL (SELECT 1 FROM crm_ingest_events e WHERE e.tenant_id = m.tenant_id AND e.message_id = m.message_id LIMIT 1) e
            """, connection);
        existing.Parameters.AddWithValue(events.Select(e => e.TenantId).ToArray());
        existing.Parameters.AddWithValue(events.Select(e => e.Event.MessageId).ToArray());
        var stored = new HashSet<(string, string)>();
        await using (var reader = await existing.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                stored.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        for (var i = 0; i < events.Count; i++)
        {
            isNew[i] &= !stored.Contains((events[i].TenantId, events[i].Event.MessageId));
        }

        return isNew;
    }

    public async Task<IReadOnlyList<(IngestCheckpoint Position, LoggedEvent Event)>> ReadAsync(int partition, IngestCheckpoint after, int limit, CancellationToken cancellationToken = default)
    {
        await using var select = dataSource.CreateCommand("""
            SELECT position, tenant_id, payload, legacy_event::text, message_id FROM crm_ingest_events
            WHERE partition_no = $1 AND position > $2
            ORDER BY position
            LIMIT $3
            """);
        select.Parameters.AddWithValue(partition);
        select.Parameters.AddWithValue(after.Position);
        select.Parameters.AddWithValue(limit);
        var rows = new List<(IngestCheckpoint, LoggedEvent)>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var tenantId = reader.GetString(1);
            LoggedEvent logged;
            try
            {
                logged = new LoggedEvent(tenantId, reader.IsDBNull(2)
                    ? LegacyIngestEvent.Convert(reader.GetString(3))
                    : IngestEventJson.Deserialize(reader.GetFieldValue<byte[]>(2)));
            }
            catch (Exception ex) when (ex is not (NpgsqlException or OperationCanceledException))
            {
                // Whatever a row holds that no longer reads (an older format, a bug), it is that row's problem alone:
                // parked, while the partition goes on.
                logged = LoggedEvent.Unreadable(tenantId, reader.GetString(4), ex.Message);
            }

            rows.Add((new IngestCheckpoint(reader.GetInt64(0)), logged));
        }

        return rows;
    }

    public async Task<long> PruneAsync(int partition, DateTimeOffset receivedBefore, IngestCheckpoint appliedUpTo, CancellationToken cancellationToken = default)
    {
        await using var delete = dataSource.CreateCommand("""
            DELETE FROM crm_ingest_events e
            WHERE e.partition_no = $1 AND e.position <= $2 AND e.received_at < $3
              AND NOT EXISTS (SELECT 1 FROM crm_ingest_parked p WHERE p.partition_no = e.partition_no AND p.position = e.position)
            """);
        delete.Parameters.AddWithValue(partition);
        delete.Parameters.AddWithValue(appliedUpTo.Position);
        delete.Parameters.AddWithValue(receivedBefore);
        return await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task ParkAsync(int partition, IReadOnlyList<ParkedEvent> parked, CancellationToken cancellationToken = default)
    {
        if (parked.Count == 0)
        {
            return;
        }

        // One row a position (an upsert may not touch a row twice): the last word on each.
        parked = [.. parked.GroupBy(p => p.Position).Select(g => g.Last())];
        await using var upsert = dataSource.CreateCommand("""
            INSERT INTO crm_ingest_parked (partition_no, position, tenant_id, message_id, reason, parked_at, attempts)
            SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::int[])
            ON CONFLICT (partition_no, position) DO UPDATE SET reason = excluded.reason, attempts = excluded.attempts
            """);
        upsert.Parameters.AddWithValue(partition);
        upsert.Parameters.AddWithValue(parked.Select(p => p.Position).ToArray());
        upsert.Parameters.AddWithValue(parked.Select(p => p.TenantId).ToArray());
        upsert.Parameters.AddWithValue(parked.Select(p => p.MessageId).ToArray());
        // A reason is an exception's message, which may quote what was sent: stored as text PostgreSQL takes.
        upsert.Parameters.AddWithValue(parked.Select(p => StorableText.Stripped(p.Reason)).ToArray());
        upsert.Parameters.AddWithValue(parked.Select(p => p.ParkedAt).ToArray());
        upsert.Parameters.AddWithValue(parked.Select(p => p.Attempts).ToArray());
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task UnparkAsync(int partition, IReadOnlyCollection<long> positions, CancellationToken cancellationToken = default)
    {
        if (positions.Count == 0)
        {
            return;
        }

        await using var delete = dataSource.CreateCommand("DELETE FROM crm_ingest_parked WHERE partition_no = $1 AND position = ANY ($2)");
        delete.Parameters.AddWithValue(partition);
        delete.Parameters.AddWithValue(positions.ToArray());
        await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ParkedEvent>> ParkedAsync(int partition, long after, int limit, CancellationToken cancellationToken = default)
    {
        await using var select = dataSource.CreateCommand("""
            SELECT position, tenant_id, message_id, reason, parked_at, attempts FROM crm_ingest_parked
            WHERE partition_no = $1 AND position > $2 ORDER BY position LIMIT $3
            """);
        select.Parameters.AddWithValue(partition);
        select.Parameters.AddWithValue(after);
        select.Parameters.AddWithValue(limit);
        var parked = new List<ParkedEvent>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            parked.Add(new ParkedEvent(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetInt32(5)));
        }

        return parked;
    }

    public async Task<long> ParkedCountAsync(int partition, CancellationToken cancellationToken = default)
    {
        await using var count = dataSource.CreateCommand("SELECT count(*) FROM crm_ingest_parked WHERE partition_no = $1");
        count.Parameters.AddWithValue(partition);
        return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
    }
}
