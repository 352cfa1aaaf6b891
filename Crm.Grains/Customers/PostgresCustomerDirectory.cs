using System.Collections.Immutable;
using System.Text.Json;
using Crm.Segments;
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

    /// <summary>
    /// What a row holds: 2 since rows carry what segment rules compare (migration 0008), 3 since they carry what
    /// duplicate matching compares (0009), 4 since their search text holds names without accents too, 5 since they
    /// carry the keys that find names typed with a slip (0013).
    /// </summary>
    public const int Projection = 5;

    /// <summary>Rows of the activity table a list narrowed by a rule walks in order before it sorts what it finds instead.</summary>
    public const int DefaultActivityWindow = 5_000;

    private readonly NpgsqlDataSource _dataSource;
    private readonly int _activityWindow;
    private readonly GroupCommit<CustomerSummary, bool> _upserts;

    public PostgresCustomerDirectory(NpgsqlDataSource dataSource, int activityWindow = DefaultActivityWindow)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(activityWindow, 1);
        (_dataSource, _activityWindow) = (dataSource, activityWindow);
        _upserts = new(UpsertAllAsync, MaxRowsPerCommit, Writers);
    }

    public Task UpsertAsync(CustomerSummary summary, CancellationToken cancellationToken = default) =>
        _upserts.CommitAsync(summary).WaitAsync(cancellationToken);

    public ValueTask DisposeAsync() => _upserts.DisposeAsync();

    private async Task<IReadOnlyList<bool>> UpsertAllAsync(IReadOnlyList<CustomerSummary> summaries)
    {
        // A statement may not change a row twice: of one customer's rows gathered together, the newest is written.
        // In one order whoever writes, so that two commits over the same customers never wait on each other in a circle.
        var rows = summaries.GroupBy(s => s.Key).Select(g => g.MaxBy(s => s.Sequence)!)
            .OrderBy(r => r.Key.TenantId, StringComparer.Ordinal).ThenBy(r => r.Key.CustomerId, StringComparer.Ordinal).ToList();
        await using var command = _dataSource.CreateCommand($"""
            INSERT INTO crm_customers (tenant_id, customer_id, display_name, sort_name, primary_email, primary_phone,
                company, lifecycle, tags, search_text, sequence, created_at, updated_at, deleted,
                company_key, tag_keys, country, owner_id, email_consent, attributes, total_interactions, last_contact_at, projection,
                match_keys, match_profile, typo_keys, value_segment)
            SELECT r.tenant_id, r.customer_id, r.display_name, r.sort_name, r.primary_email, r.primary_phone, r.company,
                r.lifecycle, ARRAY(SELECT jsonb_array_elements_text(r.tags)), r.search_text, r.sequence, r.created_at, r.updated_at, r.deleted,
                r.company_key, ARRAY(SELECT jsonb_array_elements_text(r.tag_keys)), r.country, r.owner_id, r.email_consent, r.attributes, r.total_interactions, r.last_contact_at, {Projection},
                ARRAY(SELECT jsonb_array_elements_text(r.match_keys)), r.match_profile,
                ARRAY(SELECT jsonb_array_elements_text(r.typo_keys)::int), r.value_segment
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                $9::jsonb[], $10::text[], $11::bigint[], $12::timestamptz[], $13::timestamptz[], $14::bool[],
                $15::text[], $16::text[], $17::text[], $18::jsonb[], $19::bigint[], $20::timestamptz[], $21::text[], $22::jsonb[],
                $23::jsonb[], $24::jsonb[], $25::jsonb[], $26::text[])
                AS r(tenant_id, customer_id, display_name, sort_name, primary_email, primary_phone, company, lifecycle,
                    tags, search_text, sequence, created_at, updated_at, deleted,
                    country, owner_id, email_consent, attributes, total_interactions, last_contact_at, company_key, tag_keys,
                    match_keys, match_profile, typo_keys, value_segment)
            ON CONFLICT (tenant_id, customer_id) DO UPDATE SET
                display_name = excluded.display_name, sort_name = excluded.sort_name,
                primary_email = excluded.primary_email, primary_phone = excluded.primary_phone,
                company = excluded.company, lifecycle = excluded.lifecycle, tags = excluded.tags,
                search_text = excluded.search_text, sequence = excluded.sequence,
                updated_at = excluded.updated_at, deleted = excluded.deleted,
                company_key = excluded.company_key, tag_keys = excluded.tag_keys, country = excluded.country, owner_id = excluded.owner_id, email_consent = excluded.email_consent,
                attributes = excluded.attributes, total_interactions = excluded.total_interactions,
                last_contact_at = excluded.last_contact_at, projection = excluded.projection,
                match_keys = excluded.match_keys, match_profile = excluded.match_profile, typo_keys = excluded.typo_keys,
                value_segment = excluded.value_segment
            WHERE crm_customers.sequence < excluded.sequence
                OR (crm_customers.sequence = excluded.sequence AND crm_customers.projection < excluded.projection)
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
        p.Add(Jsons(rows, r => JsonSerializer.Serialize(r.Tags)));
        p.AddWithValue(rows.Select(r => r.SearchText).ToArray());
        p.AddWithValue(rows.Select(r => r.Sequence).ToArray());
        p.AddWithValue(rows.Select(r => r.CreatedAt).ToArray());
        p.AddWithValue(rows.Select(r => r.UpdatedAt).ToArray());
        p.AddWithValue(rows.Select(r => r.Deleted).ToArray());
        // Compared, not shown: lower-cased here, as the embedded list compares them.
        p.Add(Texts(rows, r => r.Country?.ToLowerInvariant()));
        p.Add(Texts(rows, r => r.OwnerId?.ToLowerInvariant()));
        p.AddWithValue(rows.Select(r => DbText.From(r.EmailConsent)).ToArray());
        p.Add(Jsons(rows, r => AttributesJson.Of(r.Attributes)));
        p.AddWithValue(rows.Select(r => r.TotalInteractions).ToArray());
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, Value = rows.Select(r => r.LastContactAt).ToArray() });
        p.Add(Texts(rows, r => r.Company?.ToLowerInvariant()));
        p.Add(Jsons(rows, r => JsonSerializer.Serialize(r.Tags.Select(t => t.ToLowerInvariant()))));
        p.Add(Jsons(rows, r => JsonSerializer.Serialize(r.Match.Keys(r.Attributes))));
        p.Add(Jsons(rows, r => JsonSerializer.Serialize(r.Match)));
        p.Add(Jsons(rows, r => JsonSerializer.Serialize(r.TypoKeys)));
        p.Add(Texts(rows, r => r.ValueSegment?.ToLowerInvariant()));
        await command.ExecuteNonQueryAsync();
        return [.. summaries.Select(_ => true)];
    }

    private static NpgsqlParameter Jsons(IReadOnlyList<CustomerSummary> rows, Func<CustomerSummary, string> json) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb, Value = rows.Select(json).ToArray() };

    private static NpgsqlParameter Texts(IReadOnlyList<CustomerSummary> rows, Func<CustomerSummary, string?> text) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = rows.Select(text).ToArray() };

    public Task<CustomerSearchPage> SearchAsync(CustomerSearch search, CancellationToken cancellationToken = default) =>
        CustomerSearchFallback.SearchAsync(search, s => FindAsync(s, cancellationToken));

    private async Task<CustomerSearchPage> FindAsync(CustomerSearch search, CancellationToken cancellationToken)
    {
        var byActivity = search.Sort.Field is CustomerSortField.LastContactAt or CustomerSortField.TotalInteractions && search.Patterns.Count == 0;
        if (byActivity && search.Rule is null)
        {
            return CustomerSearchPages.From(await ReadAsync(search, ListShape.ActivityWalk, cancellationToken), search);
        }

        if (byActivity)
        {
            // A rule most customers meet fills a page within the first rows in order, where sorting all it finds reads
            // hundreds of thousands; a rule few meet does not, and is sorted (the planner cannot tell which it is). A
            // page found in the window is the page: any customer the rule holds beyond it comes later in the order.
            var walked = await ReadAsync(search, ListShape.ActivityWindow, cancellationToken);
            if (walked.Count > search.Limit)
            {
                return CustomerSearchPages.From(walked, search);
            }
        }

        return CustomerSearchPages.From(await ReadAsync(search, search.BySlips ? ListShape.SlipsFirst : ListShape.Sorted, cancellationToken), search);
    }

    private enum ListShape
    {
        /// <summary>The activity table's index walked in order, each row joined to its customer.</summary>
        ActivityWalk,
        /// <summary>The first rows of that walk, kept when the rest of the search holds them.</summary>
        ActivityWindow,
        /// <summary>Everything found, sorted for the page (a top-N sort), or read in order by an index on crm_customers.</summary>
        Sorted,
        /// <summary>Everything a word with slips finds, then sorted.</summary>
        SlipsFirst,
    }

    private async Task<List<CustomerSummary>> ReadAsync(CustomerSearch search, ListShape shape, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand();
        var walkActivity = shape is ListShape.ActivityWalk or ListShape.ActivityWindow;
        var (key, direction) = (SortKey(search.Sort.Field, walkActivity), search.Sort.Descending ? "DESC" : "ASC");
        var found = Found(search, command.Parameters);
        Func<string, string, string> after = (_, _) => "true";
        if (search.After is { } position)
        {
            command.Parameters.Add(search.Sort.Field switch
            {
                CustomerSortField.Name => new NpgsqlParameter { Value = position.SortName },
                CustomerSortField.CreatedAt => new NpgsqlParameter { Value = DateTimeOffset.UnixEpoch.AddTicks(position.Value * 10) },
                _ => new NpgsqlParameter { Value = position.Value },
            });
            command.Parameters.AddWithValue(position.CustomerId);
            var (value, customer) = (command.Parameters.Count - 1, command.Parameters.Count);
            after = (k, i) => $"({k}, {i}) {(search.Sort.Descending ? "<" : ">")} (${value}, ${customer})";
        }

        command.Parameters.AddWithValue(search.Limit + 1);
        var limit = "$" + command.Parameters.Count;
        const string Columns = """
            customer_id, display_name, primary_email, primary_phone, company, lifecycle, tags, search_text,
            sequence, created_at, updated_at, country, owner_id, email_consent, attributes, total_interactions, last_contact_at
            """;
        command.CommandText = shape switch
        {
            ListShape.ActivityWalk => $"""
                SELECT {Columns} FROM crm_customers JOIN crm_customer_activity ON tenant = tenant_id AND customer = customer_id
                WHERE {found} AND {after(key, "customer")}
                ORDER BY {key} {direction}, customer {direction} LIMIT {limit}
                """,
            ListShape.ActivityWindow => $"""
                SELECT {Columns} FROM (SELECT customer, {key} FROM crm_customer_activity WHERE tenant = $1 AND {after(key, "customer")}
                    ORDER BY {key} {direction}, customer {direction} LIMIT {_activityWindow}) walked
                JOIN crm_customers ON tenant_id = $1 AND customer_id = customer
                WHERE {found}
                ORDER BY {key} {direction}, customer {direction} LIMIT {limit}
                """,
            ListShape.Sorted => $"""
                SELECT {Columns} FROM crm_customers
                WHERE {found} AND {after(key, "customer_id")}
                ORDER BY {key} {direction}, customer_id {direction} LIMIT {limit}
                """,
            // A word with slips may find a handful of customers where the planner, unable to tell how few, would walk
            // the list's index in order for them, through every row: they are found first, then put in order.
            _ => $"""
                WITH found AS MATERIALIZED (SELECT customer_id AS found_id, {key} AS found_key FROM crm_customers WHERE {found}),
                page AS (SELECT found_id, found_key FROM found WHERE {after("found_key", "found_id")}
                    ORDER BY found_key {direction}, found_id {direction} LIMIT {limit})
                SELECT {Columns} FROM page JOIN crm_customers ON tenant_id = $1 AND customer_id = found_id
                ORDER BY found_key {direction}, found_id {direction}
                """,
        };

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
                Country = reader.IsDBNull(11) ? null : reader.GetString(11),
                OwnerId = reader.IsDBNull(12) ? null : reader.GetString(12),
                EmailConsent = DbText.To<ConsentStatus>(reader.GetString(13)),
                Attributes = AttributesJson.Read(reader.GetString(14)),
                TotalInteractions = reader.GetInt64(15),
                LastContactAt = reader.IsDBNull(16) ? null : reader.GetFieldValue<DateTimeOffset>(16),
            });
        }

        return rows;
    }

    /// <summary>The last contact as <see cref="CustomerSort"/> compares it, in microseconds: a customer never contacted as the least (migration 0014).</summary>
    private const string LastContactKey = "crm_activity_key(last_contact_at)";

    /// <summary>
    /// The sorted column: name and created time have indexes in crm_customers (created time is kept in microseconds,
    /// as the cursor holds it), last contact and interactions in crm_customer_activity (kept by triggers, migration 0014), read when
    /// <paramref name="walkActivity"/>, else the same values in crm_customers, for a top-N sort.
    /// </summary>
    private static string SortKey(CustomerSortField field, bool walkActivity) => field switch
    {
        CustomerSortField.CreatedAt => "created_at",
        CustomerSortField.LastContactAt => walkActivity ? "last_contact_key" : LastContactKey,
        CustomerSortField.TotalInteractions => walkActivity ? "interactions" : "total_interactions",
        _ => "sort_name",
    };

    public Task<long> CountAsync(CustomerSearch search, CancellationToken cancellationToken = default) =>
        CustomerSearchFallback.CountAsync(search, async s =>
        {
            await using var command = _dataSource.CreateCommand();
            command.CommandText = $"SELECT count(*) FROM crm_customers WHERE {Found(s, command.Parameters)}";
            return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        });

    public async Task<IReadOnlyList<long>> CountEachAsync(string tenantId, IReadOnlyList<SegmentRule> rules, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (rules.Count == 0)
        {
            return [];
        }

        await using var command = _dataSource.CreateCommand();
        var where = Found(new CustomerSearch(tenantId, null, null, 0), command.Parameters);
        var counts = rules.Select(rule => $"count(*) FILTER (WHERE {SegmentSql.Where(rule, command.Parameters, now)})");
        command.CommandText = $"SELECT {string.Join(", ", counts)} FROM crm_customers WHERE {where}";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return [.. Enumerable.Range(0, rules.Count).Select(reader.GetInt64)];
    }

    /// <remarks>A walk of the tenant's customers in key order, every rule judged twice on each: run every few minutes by <see cref="SegmentClockGrain"/> for all the segments with a window.</remarks>
    public async Task<IReadOnlyList<MovedByTime>> MovedWithTimeAsync(string tenantId, IReadOnlyList<RuleSince> rules, DateTimeOffset to, string? afterId, int limit, CancellationToken cancellationToken = default)
    {
        if (rules.Count == 0)
        {
            return [];
        }

        await using var command = _dataSource.CreateCommand();
        var where = Found(new CustomerSearch(tenantId, null, null, 0), command.Parameters);
        var judged = rules.Select((rule, i) =>
            $"{SegmentSql.Where(rule.Rule, command.Parameters, to)} AS now{i}, {SegmentSql.Where(rule.Rule, command.Parameters, rule.Since)} AS then{i}").ToList();
        command.Parameters.AddWithValue(afterId ?? "");
        var after = "$" + command.Parameters.Count;
        command.Parameters.AddWithValue(limit);
        command.CommandText = $"""
            SELECT * FROM (SELECT customer_id, sequence, {string.Join(", ", judged)} FROM crm_customers WHERE {where} AND customer_id > {after}) judged
            WHERE {string.Join(" OR ", rules.Select((_, i) => $"now{i} <> then{i}"))}
            ORDER BY customer_id LIMIT ${command.Parameters.Count}
            """;
        var moved = new List<MovedByTime>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var moves = new List<(int, bool)>();
            for (var i = 0; i < rules.Count; i++)
            {
                var (isMember, was) = (reader.GetBoolean(2 + 2 * i), reader.GetBoolean(3 + 2 * i));
                if (isMember != was)
                {
                    moves.Add((i, isMember));
                }
            }

            moved.Add(new MovedByTime(reader.GetString(0), reader.GetInt64(1), moves));
        }

        return moved;
    }

    /// <summary>The tenant's customers the search's text and rule find.</summary>
    private static string Found(CustomerSearch search, NpgsqlParameterCollection parameters)
    {
        parameters.AddWithValue(search.TenantId);
        var where = "tenant_id = $1 AND NOT deleted";
        if (search.BySlips)
        {
            var words = search.Words.Select(word =>
            {
                var like = Contains(word.Word, parameters);
                if (word.Keys.IsEmpty)
                {
                    return like;
                }

                parameters.AddWithValue(word.Keys.ToArray());
                return $"({like} OR typo_keys && ${parameters.Count}::int[])";
            });
            where += $" AND {string.Join(" AND ", words)}";
        }
        else if (search.Patterns is { Count: > 0 } patterns)
        {
            var likes = patterns.Select(pattern => Contains(pattern, parameters));
            where += $" AND ({string.Join(" OR ", likes)})";
        }

        return search.Rule is { } rule ? $"{where} AND {SegmentSql.Where(rule, parameters, search.Now)}" : where;
    }

    /// <summary>The search text holds <paramref name="text"/> anywhere (the trigram index finds it).</summary>
    private static string Contains(string text, NpgsqlParameterCollection parameters)
    {
        parameters.AddWithValue("%" + EscapeLike(text) + "%");
        return $"search_text LIKE ${parameters.Count}";
    }

    private static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_");
}
