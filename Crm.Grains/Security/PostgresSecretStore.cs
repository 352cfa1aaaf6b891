using Npgsql;

namespace Crm.Security;

public sealed class PostgresSecretStore(NpgsqlDataSource dataSource) : ISecretStore
{
    public async Task<byte[]> GetOrCreateAsync(string name, Func<byte[]> create, CancellationToken cancellationToken = default)
    {
        // When another node inserts concurrently, this statement's snapshot sees neither row; the second try sees theirs.
        for (var attempt = 0; ; attempt++)
        {
            await using var command = dataSource.CreateCommand("""
                WITH inserted AS (
                    INSERT INTO crm_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING value)
                SELECT value FROM inserted
                UNION ALL
                SELECT value FROM crm_secrets WHERE name = $1
                LIMIT 1
                """);
            command.Parameters.AddWithValue(name);
            command.Parameters.AddWithValue(create());
            if (await command.ExecuteScalarAsync(cancellationToken) is byte[] value)
            {
                return value;
            }

            if (attempt > 0)
            {
                throw new InvalidOperationException($"Secret '{name}' could be neither stored nor read.");
            }
        }
    }
}
