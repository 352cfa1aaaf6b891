using Npgsql;

namespace Crm.Security;

/// <summary>Tables crm_tenants and crm_users; emails are unique across tenants because they are the sign-in name.</summary>
public sealed class PostgresAccountStore(NpgsqlDataSource dataSource) : IAccountStore
{
    private const string UserColumns = "user_id, tenant_id, email, display_name, roles, password_hash, created_at, disabled_at";

    public async Task<bool> TryCreateTenantAsync(Tenant tenant, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "INSERT INTO crm_tenants (tenant_id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING");
        command.Parameters.AddWithValue(tenant.Id);
        command.Parameters.AddWithValue(tenant.Name);
        command.Parameters.AddWithValue(tenant.CreatedAt);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<Tenant?> FindTenantAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT tenant_id, name, created_at FROM crm_tenants WHERE tenant_id = $1");
        command.Parameters.AddWithValue(tenantId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Tenant(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2))
            : null;
    }

    public async Task<bool> AnyTenantAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM crm_tenants)");
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<bool> TryCreateUserAsync(UserAccount user, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand($"""
            INSERT INTO crm_users ({UserColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (email) DO NOTHING
            """);
        var p = command.Parameters;
        p.AddWithValue(user.Id);
        p.AddWithValue(user.TenantId);
        p.AddWithValue(user.Email);
        p.AddWithValue(user.DisplayName);
        p.AddWithValue(user.Roles.ToArray());
        p.AddWithValue(user.PasswordHash);
        p.AddWithValue(user.CreatedAt);
        p.AddWithValue(NpgsqlTypes.NpgsqlDbType.TimestampTz, (object?)user.DisabledAt ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<UserAccount?> FindUserByEmailAsync(string email, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand($"SELECT {UserColumns} FROM crm_users WHERE email = $1");
        command.Parameters.AddWithValue(email);
        return (await ReadUsersAsync(command, cancellationToken)).FirstOrDefault();
    }

    public async Task<UserAccount?> FindUserAsync(string tenantId, Guid userId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand($"SELECT {UserColumns} FROM crm_users WHERE user_id = $1 AND tenant_id = $2");
        command.Parameters.AddWithValue(userId);
        command.Parameters.AddWithValue(tenantId);
        return (await ReadUsersAsync(command, cancellationToken)).FirstOrDefault();
    }

    public async Task<IReadOnlyList<UserAccount>> ListUsersAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand($"SELECT {UserColumns} FROM crm_users WHERE tenant_id = $1 ORDER BY email");
        command.Parameters.AddWithValue(tenantId);
        return await ReadUsersAsync(command, cancellationToken);
    }

    public async Task<bool> DisableUserAsync(string tenantId, Guid userId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE crm_users SET disabled_at = coalesce(disabled_at, $3) WHERE user_id = $1 AND tenant_id = $2");
        command.Parameters.AddWithValue(userId);
        command.Parameters.AddWithValue(tenantId);
        command.Parameters.AddWithValue(at);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static async Task<List<UserAccount>> ReadUsersAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var users = new List<UserAccount>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            users.Add(new UserAccount
            {
                Id = reader.GetGuid(0),
                TenantId = reader.GetString(1),
                Email = reader.GetString(2),
                DisplayName = reader.GetString(3),
                Roles = [.. reader.GetFieldValue<string[]>(4)],
                PasswordHash = reader.GetString(5),
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(6),
                DisabledAt = reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7),
            });
        }

        return users;
    }
}
