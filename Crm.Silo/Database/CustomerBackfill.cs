using Crm.Customers;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Crm.Silo.Database;

/// <summary>
/// What an upgrade asks of every customer that existed before it, once, on one silo, in the background, each step
/// recorded as done like a migration. Every step is idempotent, so one cut short by a restart simply runs again.
/// </summary>
public sealed partial class CustomerBackfill(NpgsqlDataSource dataSource, IGrainFactory grains, ILogger<CustomerBackfill> logger)
{
    private const long LockId = 0x43524D5F494458; // "CRM_IDX"
    private const int Page = 500;

    private static readonly Step[] Steps =
    [
        // The identity index (migration 0005): first every customer claims the identities integrations know it by (as
        // the identity grains it replaces had them, so that who owned what stays as it was), then its profile's.
        new("0005-identity-backfill", "identity index", [c => c.ClaimIdentitiesAsync(withProfile: false), c => c.ClaimIdentitiesAsync(withProfile: true)]),
        // The customer list's segment fields (migration 0008): each customer whose row is older writes it again. At
        // every start, not once: a node of the previous version still running during an upgrade writes old rows.
        new("0008-customer-list-backfill", "customer list", [c => c.ProjectAsync()],
            Filter: $"projection < {Customers.PostgresCustomerDirectory.Projection}", EveryStart: true),
    ];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (await AllDoneAsync(connection, cancellationToken) || !await ScalarAsync<bool>(connection, $"SELECT pg_try_advisory_lock({LockId})", cancellationToken))
        {
            return;
        }

        try
        {
            foreach (var step in Steps)
            {
                if (step.EveryStart || !await DoneAsync(connection, step.Id, cancellationToken))
                {
                    await RunAsync(connection, step, cancellationToken);
                }
            }
        }
        finally
        {
            await ScalarAsync<bool>(connection, $"SELECT pg_advisory_unlock({LockId})", CancellationToken.None);
        }
    }

    private async Task RunAsync(NpgsqlConnection connection, Step step, CancellationToken cancellationToken)
    {
        var customers = 0;
        foreach (var pass in step.Passes)
        {
            customers = 0;
            await foreach (var page in PagesAsync(step.Filter, cancellationToken))
            {
                await Parallel.ForEachAsync(page, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
                    async (key, _) => await PassAsync(pass, key));
                customers += page.Count;
            }
        }

        if (step.EveryStart)
        {
            if (customers > 0)
            {
                LogBackfilled(step.What, customers);
            }

            return;
        }

        await using var record = new NpgsqlCommand("INSERT INTO crm_schema_migrations (id) VALUES ($1) ON CONFLICT DO NOTHING", connection);
        record.Parameters.AddWithValue(step.Id);
        await record.ExecuteNonQueryAsync(cancellationToken);
        LogBackfilled(step.What, customers);
    }

    /// <summary>One customer that fails is logged and passed by: the step goes on with the others, and runs again next start.</summary>
    private async Task PassAsync(Func<ICustomerGrain, Task> pass, CustomerKey key)
    {
        try
        {
            await pass(grains.GetGrain<ICustomerGrain>(key.ToString()));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCustomerFailed(ex, key.TenantId, key.CustomerId);
        }
    }

    private static async Task<bool> AllDoneAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        foreach (var step in Steps)
        {
            if (step.EveryStart || !await DoneAsync(connection, step.Id, cancellationToken))
            {
                return false;
            }
        }

        return true;
    }

    private async IAsyncEnumerable<List<CustomerKey>> PagesAsync(string? filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (tenant, customer) = ("", "");
        while (true)
        {
            await using var select = dataSource.CreateCommand($"""
                SELECT tenant_id, customer_id FROM crm_customers
                WHERE (tenant_id, customer_id) > ($1, $2) AND NOT deleted {(filter is null ? "" : $"AND {filter}")}
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

    private static async Task<bool> DoneAsync(NpgsqlConnection connection, string id, CancellationToken cancellationToken)
    {
        await using var done = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM crm_schema_migrations WHERE id = $1)", connection);
        done.Parameters.AddWithValue(id);
        return (bool)(await done.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    [LoggerMessage(LogLevel.Information, "Database: {What} filled from {Customers} existing customers")]
    private partial void LogBackfilled(string what, int customers);

    [LoggerMessage(LogLevel.Warning, "Database: tenant {TenantId} customer {CustomerId} could not be backfilled; it is tried again at the next start")]
    private partial void LogCustomerFailed(Exception exception, string tenantId, string customerId);

    /// <param name="Filter">Which customers the step is for (SQL over crm_customers); every one when null.</param>
    /// <param name="EveryStart">Run at every start over what the filter finds, rather than once and recorded.</param>
    private sealed record Step(string Id, string What, IReadOnlyList<Func<ICustomerGrain, Task>> Passes, string? Filter = null, bool EveryStart = false);
}
