using Npgsql;

namespace Crm.Imports;

/// <summary>Import files in table crm_import_chunks, one row per chunk: every node reads what any node stored.</summary>
public sealed class PostgresImportFileStore(NpgsqlDataSource dataSource) : IImportFileStore
{
    public Task<long> SaveAsync(ImportBlob blob, Stream content, CancellationToken cancellationToken = default) =>
        ImportChunks.SaveAsync(this, blob, content, cancellationToken);

    public async Task WriteChunkAsync(ImportBlob blob, int chunk, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        await using var upsert = dataSource.CreateCommand("""
            INSERT INTO crm_import_chunks (tenant_id, import_id, name, chunk_no, data) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (tenant_id, import_id, name, chunk_no) DO UPDATE SET data = excluded.data
            """);
        upsert.Parameters.AddWithValue(blob.TenantId);
        upsert.Parameters.AddWithValue(blob.ImportId);
        upsert.Parameters.AddWithValue(blob.Name);
        upsert.Parameters.AddWithValue(chunk);
        upsert.Parameters.AddWithValue(data);
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }

    public Stream OpenRead(ImportBlob blob) => new ChunkedReadStream(async (last, cancellationToken) =>
    {
        await using var select = dataSource.CreateCommand("""
            SELECT chunk_no, data FROM crm_import_chunks
            WHERE tenant_id = $1 AND import_id = $2 AND name = $3 AND chunk_no > $4
            ORDER BY chunk_no LIMIT 1
            """);
        select.Parameters.AddWithValue(blob.TenantId);
        select.Parameters.AddWithValue(blob.ImportId);
        select.Parameters.AddWithValue(blob.Name);
        select.Parameters.AddWithValue(last);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt32(0), reader.GetFieldValue<byte[]>(1)) : null;
    });

    public async Task DeleteAsync(string tenantId, Guid importId, string? name = null, CancellationToken cancellationToken = default)
    {
        await using var delete = dataSource.CreateCommand("DELETE FROM crm_import_chunks WHERE tenant_id = $1 AND import_id = $2 AND ($3::text IS NULL OR name = $3)");
        delete.Parameters.AddWithValue(tenantId);
        delete.Parameters.AddWithValue(importId);
        delete.Parameters.Add(new NpgsqlParameter { Value = (object?)name ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await delete.ExecuteNonQueryAsync(cancellationToken);
    }
}
