using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Ingestion;

/// <summary>
/// The ingest log in table crm_ingest_log, list-partitioned by partition number. Writers to a partition take turns:
/// each transaction takes the partition's advisory lock before it draws positions, so positions become visible in
/// increasing order and a reader that has read up to a position never finds an earlier one later. Group commit
/// makes the turns large (thousands of events each), so taking turns costs little.
/// </summary>
public sealed class PostgresIngestLog(NpgsqlDataSource dataSource) : IIngestLog
{
    /// <summary>Fixed by the schema (migration 0002): one list partition per number.</summary>
    public const int PartitionCount = 8;

    /// <summary>Every writer runs this first in its transaction, with the partitions it writes to, in order (no deadlocks).</summary>
    public const string LockPartitionsSql = "SELECT pg_advisory_xact_lock(1129466700, p) FROM unnest($1::int[]) AS p ORDER BY p";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public int Partitions => PartitionCount;

    public async Task<bool[]> AppendAsync(IReadOnlyList<LoggedEvent> events, CancellationToken cancellationToken = default)
    {
        var partitions = events.Select(e => e.PartitionOf(PartitionCount)).ToArray();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var turn = new NpgsqlCommand(LockPartitionsSql, connection))
        {
            turn.Parameters.AddWithValue(partitions.Distinct().ToArray());
            await turn.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var insert = new NpgsqlCommand("""
            INSERT INTO crm_ingest_log (partition_no, tenant_id, message_id, received_at, event)
            SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[])
            ON CONFLICT DO NOTHING
            RETURNING tenant_id, message_id
            """, connection);
        insert.Parameters.AddWithValue(partitions);
        insert.Parameters.AddWithValue(events.Select(e => e.TenantId).ToArray());
        insert.Parameters.AddWithValue(events.Select(e => e.Event.MessageId).ToArray());
        insert.Parameters.AddWithValue(events.Select(e => e.Event.ReceivedAt).ToArray());
        insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb, Value = events.Select(e => JsonSerializer.Serialize(e.Event, Json)).ToArray() });

        var stored = new HashSet<(string, string)>();
        await using (var reader = await insert.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                stored.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        await transaction.CommitAsync(cancellationToken);
        // A message sent twice in one batch is new once: the first time.
        return events.Select(e => stored.Remove((e.TenantId, e.Event.MessageId))).ToArray();
    }

    public async Task<IReadOnlyList<(IngestCheckpoint Position, LoggedEvent Event)>> ReadAsync(int partition, IngestCheckpoint after, int limit, CancellationToken cancellationToken = default)
    {
        await using var select = dataSource.CreateCommand("""
            SELECT position, tenant_id, event FROM crm_ingest_log
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
            var ingested = JsonSerializer.Deserialize<IngestEvent>(reader.GetString(2), Json)!;
            rows.Add((new IngestCheckpoint(reader.GetInt64(0)), new LoggedEvent(reader.GetString(1), ingested)));
        }

        return rows;
    }

    public async Task<long> PruneAsync(int partition, DateTimeOffset receivedBefore, CancellationToken cancellationToken = default)
    {
        await using var delete = dataSource.CreateCommand("DELETE FROM crm_ingest_log WHERE partition_no = $1 AND received_at < $2");
        delete.Parameters.AddWithValue(partition);
        delete.Parameters.AddWithValue(receivedBefore);
        return await delete.ExecuteNonQueryAsync(cancellationToken);
    }
}
