using Npgsql;
using Orleans.Serialization;

namespace Crm.Merges;

/// <summary>Merge records in crm_merges, each in Orleans' serialization beside the columns they are found by.</summary>
public sealed class PostgresMergeLog(NpgsqlDataSource dataSource, Serializer<MergeRecord> serializer) : IMergeLog
{
    public async Task<MergeRecord?> GetAsync(string tenantId, Guid mergeId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT record FROM crm_merges WHERE tenant_id = $1 AND merge_id = $2");
        command.Parameters.AddWithValue(tenantId);
        command.Parameters.AddWithValue(mergeId);
        return await command.ExecuteScalarAsync(cancellationToken) is byte[] record ? serializer.Deserialize(record) : null;
    }

    public async Task SaveAsync(MergeRecord record, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO crm_merges (tenant_id, merge_id, survivor_id, customer_ids, merged_at, record) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (tenant_id, merge_id) DO UPDATE SET record = excluded.record
            """);
        command.Parameters.AddWithValue(record.TenantId);
        command.Parameters.AddWithValue(record.Id);
        command.Parameters.AddWithValue(record.SurvivorId);
        command.Parameters.AddWithValue(new[] { record.SurvivorId }.Concat(record.Request.MergedIds).ToArray());
        command.Parameters.AddWithValue(record.MergedAt);
        command.Parameters.AddWithValue(serializer.SerializeToArray(record));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task DeleteAsync(string tenantId, Guid mergeId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM crm_merges WHERE tenant_id = $1 AND merge_id = $2");
        command.Parameters.AddWithValue(tenantId);
        command.Parameters.AddWithValue(mergeId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<MergeRecord>> ListAsync(string tenantId, string? customerId, MergeCursor? after, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT record FROM crm_merges
            WHERE tenant_id = $1 AND ($2::text IS NULL OR customer_ids @> ARRAY[$2::text])
                {(after is null ? "" : "AND (merged_at, merge_id) < ($4, $5)")}
            ORDER BY merged_at DESC, merge_id DESC LIMIT $3
            """);
        command.Parameters.AddWithValue(tenantId);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)customerId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.AddWithValue(limit);
        if (after is not null)
        {
            command.Parameters.AddWithValue(after.MergedAt);
            command.Parameters.AddWithValue(after.MergeId);
        }

        var records = new List<MergeRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(serializer.Deserialize(reader.GetFieldValue<byte[]>(0))!);
        }

        return records;
    }
}
