using Npgsql;

namespace Crm.Ingestion;

public sealed class PostgresSourceStore(NpgsqlDataSource dataSource) : ISourceStore
{
    private const string Columns = "source_id, tenant_id, name, write_key_hash, signing_secret, created_at, revoked_at";

    public async Task CreateAsync(Source source, CancellationToken cancellationToken = default)
    {
        await using var insert = dataSource.CreateCommand($"INSERT INTO crm_sources ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, NULL)");
        insert.Parameters.AddWithValue(source.Id);
        insert.Parameters.AddWithValue(source.TenantId);
        insert.Parameters.AddWithValue(source.Name);
        insert.Parameters.AddWithValue(source.WriteKeyHash);
        insert.Parameters.AddWithValue(source.SigningSecret);
        insert.Parameters.AddWithValue(source.CreatedAt);
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task<IReadOnlyList<Source>> ListAsync(string tenantId, CancellationToken cancellationToken = default) =>
        QueryAsync($"SELECT {Columns} FROM crm_sources WHERE tenant_id = $1 ORDER BY created_at", cancellationToken, tenantId);

    public async Task<Source?> FindAsync(string tenantId, Guid sourceId, CancellationToken cancellationToken = default) =>
        (await QueryAsync($"SELECT {Columns} FROM crm_sources WHERE source_id = $1 AND tenant_id = $2", cancellationToken, sourceId, tenantId)).FirstOrDefault();

    public async Task<Source?> FindAsync(Guid sourceId, CancellationToken cancellationToken = default) =>
        (await QueryAsync($"SELECT {Columns} FROM crm_sources WHERE source_id = $1", cancellationToken, sourceId)).FirstOrDefault();

    public async Task<Source?> FindByWriteKeyHashAsync(byte[] writeKeyHash, CancellationToken cancellationToken = default) =>
        (await QueryAsync($"SELECT {Columns} FROM crm_sources WHERE write_key_hash = $1", cancellationToken, writeKeyHash)).FirstOrDefault();

    public async Task<bool> RevokeAsync(string tenantId, Guid sourceId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var update = dataSource.CreateCommand("UPDATE crm_sources SET revoked_at = coalesce(revoked_at, $3) WHERE source_id = $1 AND tenant_id = $2");
        update.Parameters.AddWithValue(sourceId);
        update.Parameters.AddWithValue(tenantId);
        update.Parameters.AddWithValue(at);
        return await update.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task<IReadOnlyList<Source>> QueryAsync(string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        var sources = new List<Source>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            sources.Add(new Source
            {
                Id = reader.GetGuid(0),
                TenantId = reader.GetString(1),
                Name = reader.GetString(2),
                WriteKeyHash = reader.GetFieldValue<byte[]>(3),
                SigningSecret = reader.GetFieldValue<byte[]>(4),
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(5),
                RevokedAt = reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
            });
        }

        return sources;
    }
}
