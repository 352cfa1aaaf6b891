using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Ingestion;

/// <summary>
/// The ingest log in table crm_ingest_log, list-partitioned by partition number. Each row records the id of the
/// transaction that wrote it; readers take rows only below the oldest transaction still running
/// (pg_snapshot_xmin), in (transaction, position) order, so that a row committed after a later one is not skipped.
/// </summary>
public sealed class PostgresIngestLog(NpgsqlDataSource dataSource) : IIngestLog
{
    /// <summary>Fixed by the schema (migration 0002): one list partition per number.</summary>
    public const int PartitionCount = 8;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public int Partitions => PartitionCount;

    public async Task<bool[]> AppendAsync(IReadOnlyList<LoggedEvent> events, CancellationToken cancellationToken = default)
    {
        await using var insert = dataSource.CreateCommand("""
            INSERT INTO crm_ingest_log (partition_no, tenant_id, message_id, received_at, event)
            SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[])
            ON CONFLICT DO NOTHING
            RETURNING tenant_id, message_id
            """);
        insert.Parameters.AddWithValue(events.Select(e => e.PartitionOf(PartitionCount)).ToArray());
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

        // A message sent twice in one batch is new once: the first time.
        return events.Select(e => stored.Remove((e.TenantId, e.Event.MessageId))).ToArray();
    }

    public async Task<IReadOnlyList<(IngestCheckpoint Position, LoggedEvent Event)>> ReadAsync(int partition, IngestCheckpoint after, int limit, CancellationToken cancellationToken = default)
    {
        await using var select = dataSource.CreateCommand("""
            SELECT txid, position, tenant_id, event FROM crm_ingest_log
            WHERE partition_no = $1 AND (txid, position) > ($2, $3)
              AND txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
            ORDER BY txid, position
            LIMIT $4
            """);
        select.Parameters.AddWithValue(partition);
        select.Parameters.AddWithValue(after.TransactionId);
        select.Parameters.AddWithValue(after.Position);
        select.Parameters.AddWithValue(limit);
        var rows = new List<(IngestCheckpoint, LoggedEvent)>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var ingested = JsonSerializer.Deserialize<IngestEvent>(reader.GetString(3), Json)!;
            rows.Add((new IngestCheckpoint(reader.GetInt64(0), reader.GetInt64(1)), new LoggedEvent(reader.GetString(2), ingested)));
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
