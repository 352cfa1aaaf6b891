using System.Collections.Immutable;
using Crm.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Customers;

/// <summary>
/// The customer list in table crm_customers. Listing walks the (tenant, sort_name, customer_id) index;
/// search uses a trigram index on search_text, so a match anywhere in a name, email or phone is indexed.
/// </summary>
public sealed class PostgresCustomerDirectory(NpgsqlDataSource dataSource) : ICustomerDirectory
{
    public async Task UpsertAsync(CustomerSummary summary, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO crm_customers (tenant_id, customer_id, display_name, sort_name, primary_email, primary_phone,
                company, lifecycle, tags, search_text, sequence, created_at, updated_at, deleted)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            ON CONFLICT (tenant_id, customer_id) DO UPDATE SET
                display_name = excluded.display_name, sort_name = excluded.sort_name,
                primary_email = excluded.primary_email, primary_phone = excluded.primary_phone,
                company = excluded.company, lifecycle = excluded.lifecycle, tags = excluded.tags,
                search_text = excluded.search_text, sequence = excluded.sequence,
                updated_at = excluded.updated_at, deleted = excluded.deleted
            WHERE crm_customers.sequence < excluded.sequence
            """);
        var p = command.Parameters;
        p.AddWithValue(summary.Key.TenantId);
        p.AddWithValue(summary.Key.CustomerId);
        p.AddWithValue(summary.DisplayName);
        p.AddWithValue(summary.Position.SortName);
        p.AddWithValue(NpgsqlDbType.Text, (object?)summary.PrimaryEmail ?? DBNull.Value);
        p.AddWithValue(NpgsqlDbType.Text, (object?)summary.PrimaryPhone ?? DBNull.Value);
        p.AddWithValue(NpgsqlDbType.Text, (object?)summary.Company ?? DBNull.Value);
        p.AddWithValue(DbText.From(summary.Lifecycle));
        p.AddWithValue(summary.Tags.ToArray());
        p.AddWithValue(summary.SearchText);
        p.AddWithValue(summary.Sequence);
        p.AddWithValue(summary.CreatedAt);
        p.AddWithValue(summary.UpdatedAt);
        p.AddWithValue(summary.Deleted);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<CustomerSearchPage> SearchAsync(CustomerSearch search, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand();
        command.Parameters.AddWithValue(search.TenantId);
        var sql = """
            SELECT customer_id, display_name, primary_email, primary_phone, company, lifecycle, tags, search_text,
                   sequence, created_at, updated_at
            FROM crm_customers
            WHERE tenant_id = $1 AND NOT deleted
            """;
        if (search.Text is { Length: > 0 } text)
        {
            command.Parameters.AddWithValue("%" + EscapeLike(text.ToLowerInvariant()) + "%");
            sql += $" AND search_text LIKE ${command.Parameters.Count}";
        }

        if (search.After is { } after)
        {
            command.Parameters.AddWithValue(after.SortName);
            command.Parameters.AddWithValue(after.CustomerId);
            sql += $" AND (sort_name, customer_id) > (${command.Parameters.Count - 1}, ${command.Parameters.Count})";
        }

        command.Parameters.AddWithValue(search.Limit + 1);
        command.CommandText = sql + $" ORDER BY sort_name, customer_id LIMIT ${command.Parameters.Count}";

        var rows = new List<CustomerSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new CustomerSummary
            {
                Key = new CustomerKey(search.TenantId, reader.GetString(0)),
                DisplayName = reader.GetString(1),
                PrimaryEmail = reader.IsDBNull(2) ? null : reader.GetString(2),
                PrimaryPhone = reader.IsDBNull(3) ? null : reader.GetString(3),
                Company = reader.IsDBNull(4) ? null : reader.GetString(4),
                Lifecycle = DbText.To<LifecycleStage>(reader.GetString(5)),
                Tags = [.. reader.GetFieldValue<string[]>(6)],
                SearchText = reader.GetString(7),
                Sequence = reader.GetInt64(8),
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(9),
                UpdatedAt = reader.GetFieldValue<DateTimeOffset>(10),
            });
        }

        return CustomerSearchPages.From(rows, search.Limit);
    }

    private static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_");
}
