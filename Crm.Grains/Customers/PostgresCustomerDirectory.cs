using System.Collections.Immutable;
using System.Text.Json;
using Crm.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Customers;

/// <summary>
/// The customer list in table crm_customers. Listing walks the (tenant, sort_name, customer_id) index;
/// search uses a trigram index on search_text, so a match anywhere in a name, email or phone is indexed.
/// </summary>
/// <remarks>
/// Every change of every customer writes its row here, an import's million rows included: the rows of changes that
/// arrive together are written in one statement (group commit), the newest of a customer's winning.
/// </remarks>
public sealed class PostgresCustomerDirectory : ICustomerDirectory, IAsyncDisposable
{
    private const int MaxRowsPerCommit = 500;
    private const int Writers = 2;

    private readonly NpgsqlDataSource _dataSource;
    private readonly GroupCommit<CustomerSummary, bool> _upserts;

    public PostgresCustomerDirectory(NpgsqlDataSource dataSource)
    {
        _dataSource = dataSource;
        _upserts = new(UpsertAllAsync, MaxRowsPerCommit, Writers);
    }

    public Task UpsertAsync(CustomerSummary summary, CancellationToken cancellationToken = default) =>
        _upserts.CommitAsync(summary).WaitAsync(cancellationToken);

    public ValueTask DisposeAsync() => _upserts.DisposeAsync();

    private async Task<IReadOnlyList<bool>> UpsertAllAsync(IReadOnlyList<CustomerSummary> summaries)
    {
        // A statement may not change a row twice: of one customer's rows gathered together, the newest is written.
        var rows = summaries.GroupBy(s => s.Key).Select(g => g.MaxBy(s => s.Sequence)!).ToList();
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO crm_customers (tenant_id, customer_id, display_name, sort_name, primary_email, primary_phone,
                company, lifecycle, tags, search_text, sequence, created_at, updated_at, deleted)
            SELECT r.tenant_id, r.customer_id, r.display_name, r.sort_name, r.primary_email, r.primary_phone, r.company,
                r.lifecycle, ARRAY(SELECT jsonb_array_elements_text(r.tags)), r.search_text, r.sequence, r.created_at, r.updated_at, r.deleted
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                $9::jsonb[], $10::text[], $11::bigint[], $12::timestamptz[], $13::timestamptz[], $14::bool[])
                AS r(tenant_id, customer_id, display_name, sort_name, primary_email, primary_phone, company, lifecycle,
                    tags, search_text, sequence, created_at, updated_at, deleted)
            ON CONFLICT (tenant_id, customer_id) DO UPDATE SET
                display_name = excluded.display_name, sort_name = excluded.sort_name,
                primary_email = excluded.primary_email, primary_phone = excluded.primary_phone,
                company = excluded.company, lifecycle = excluded.lifecycle, tags = excluded.tags,
                search_text = excluded.search_text, sequence = excluded.sequence,
                updated_at = excluded.updated_at, deleted = excluded.deleted
            WHERE crm_customers.sequence < excluded.sequence
            """);
        var p = command.Parameters;
        p.AddWithValue(rows.Select(r => r.Key.TenantId).ToArray());
        p.AddWithValue(rows.Select(r => r.Key.CustomerId).ToArray());
        p.AddWithValue(rows.Select(r => r.DisplayName).ToArray());
        p.AddWithValue(rows.Select(r => r.Position.SortName).ToArray());
        p.Add(Texts(rows, r => r.PrimaryEmail));
        p.Add(Texts(rows, r => r.PrimaryPhone));
        p.Add(Texts(rows, r => r.Company));
        p.AddWithValue(rows.Select(r => DbText.From(r.Lifecycle)).ToArray());
        // Tags travel as JSON arrays: unnest would flatten an array of arrays.
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb, Value = rows.Select(r => JsonSerializer.Serialize(r.Tags)).ToArray() });
        p.AddWithValue(rows.Select(r => r.SearchText).ToArray());
        p.AddWithValue(rows.Select(r => r.Sequence).ToArray());
        p.AddWithValue(rows.Select(r => r.CreatedAt).ToArray());
        p.AddWithValue(rows.Select(r => r.UpdatedAt).ToArray());
        p.AddWithValue(rows.Select(r => r.Deleted).ToArray());
        await command.ExecuteNonQueryAsync();
        return [.. summaries.Select(_ => true)];
    }

    private static NpgsqlParameter Texts(IReadOnlyList<CustomerSummary> rows, Func<CustomerSummary, string?> text) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = rows.Select(text).ToArray() };

    public async Task<CustomerSearchPage> SearchAsync(CustomerSearch search, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand();
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
