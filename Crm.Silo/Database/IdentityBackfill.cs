using Crm.Customers;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Crm.Silo.Database;

/// <summary>
/// Fills the identity index (migration 0005) from the customers that existed before it, once, on one silo, in the
/// background. First every customer claims the identities integrations know it by (as the identity grains it replaces
/// had them, so that who owned what stays as it was), then the emails, phones and external ids of its profile.
/// Claiming is idempotent, so a backfill cut short by a restart simply runs again.
/// </summary>
public sealed partial class IdentityBackfill(NpgsqlDataSource dataSource, IGrainFactory grains, ILogger<IdentityBackfill> logger)
{
    public const string Id = "0005-identity-backfill";

    private const long LockId = 0x43524D5F494458; // "CRM_IDX"
    private const int Page = 500;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (await DoneAsync(connection, cancellationToken) || !await ScalarAsync<bool>(connection, $"SELECT pg_try_advisory_lock({LockId})", cancellationToken))
        {
            return;
        }

        try
        {
            if (await DoneAsync(connection, cancellationToken))
            {
                return;
            }

            var customers = 0;
            foreach (var withProfile in new[] { false, true })
            {
                customers = 0;
                await foreach (var page in PagesAsync(cancellationToken))
                {
                    await Parallel.ForEachAsync(page, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
                        async (key, _) => await grains.GetGrain<ICustomerGrain>(key.ToString()).ClaimIdentitiesAsync(withProfile));
                    customers += page.Count;
                }
            }

            await using var record = new NpgsqlCommand("INSERT INTO crm_schema_migrations (id) VALUES ($1) ON CONFLICT DO NOTHING", connection);
            record.Parameters.AddWithValue(Id);
            await record.ExecuteNonQueryAsync(cancellationToken);
            LogBackfilled(customers);
        }
        finally
        {
            await ScalarAsync<bool>(connection, $"SELECT pg_advisory_unlock({LockId})", CancellationToken.None);
        }
    }

    private async IAsyncEnumerable<List<CustomerKey>> PagesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (tenant, customer) = ("", "");
        while (true)
        {
            await using var select = dataSource.CreateCommand("""
                SELECT tenant_id, customer_id FROM crm_customers
                WHERE (tenant_id, customer_id) > ($1, $2) AND NOT deleted
                ORDER BY tenant_id, customer_id LIMIT $3
                """);
            select.Parameters.AddWithValue(tenant);
            select.Parameters.AddWithValue(customer);
            select.Parameters.AddWithValue(Page);
            var page = new List<CustomerKey>();
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    page.Add(new CustomerKey(reader.GetString(0), reader.GetString(1)));
                }
            }

            if (page.Count == 0)
            {
                yield break;
            }

            yield return page;
            (tenant, customer) = (page[^1].TenantId, page[^1].CustomerId);
        }
    }

    private static async Task<bool> DoneAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var done = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM crm_schema_migrations WHERE id = $1)", connection);
        done.Parameters.AddWithValue(Id);
        return (bool)(await done.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    [LoggerMessage(LogLevel.Information, "Database: identity index filled from {Customers} existing customers")]
    private partial void LogBackfilled(int customers);
}
