using System.Collections.Immutable;
using System.Text.Json;
using Crm.Customers;
using Npgsql;

namespace Crm.Duplicates;

/// <summary>
/// Pairs in crm_duplicate_pairs; candidates found by blocking key in crm_match_keys (kept from crm_customers'
/// match_keys by a trigger), a bounded number per key and per customer, so that checking a customer costs the same at
/// a thousand customers or a million.
/// </summary>
public sealed class PostgresDuplicateStore(NpgsqlDataSource dataSource) : IDuplicateStore
{
    private const string Candidate = "customer_id, match_profile, attributes, created_at";

    public async Task<IReadOnlyList<MatchBlock>> BlocksAsync(string tenantId, IReadOnlyCollection<string> customerIds, bool laterOnly, CancellationToken cancellationToken = default)
    {
        // Per key, the customers sharing it nearest by id (after it in a scan, on both sides for a changed customer): a
        // range of crm_match_keys' primary key each. Of them, those sharing an identifying key first, then those
        // sharing the most keys.
        await using var command = dataSource.CreateCommand($"""
            SELECT s.customer_id, s.match_profile, s.attributes, s.created_at, c.customer_id, c.match_profile, c.attributes, c.created_at
            FROM crm_customers s
            LEFT JOIN LATERAL (
                SELECT m.customer_id
                FROM (SELECT key AS match_key, key ~ '^[{MatchProfile.IdentifyingKinds}]:' AS identifying FROM unnest(s.match_keys) AS key) k
                CROSS JOIN LATERAL (SELECT CASE WHEN k.identifying THEN {IDuplicateStore.MaxCandidates} ELSE {IDuplicateStore.MaxPerSharedKey} END AS most) per_key
                CROSS JOIN LATERAL (
                    (SELECT m.customer_id FROM crm_match_keys m
                    WHERE m.tenant_id = s.tenant_id AND m.match_key = k.match_key AND m.customer_id > s.customer_id
                    ORDER BY m.customer_id
                    LIMIT per_key.most)
                    UNION ALL
                    (SELECT m.customer_id FROM crm_match_keys m
                    WHERE NOT $3 AND m.tenant_id = s.tenant_id AND m.match_key = k.match_key AND m.customer_id < s.customer_id
                    ORDER BY m.customer_id DESC
                    LIMIT per_key.most)) m
                GROUP BY m.customer_id
                ORDER BY bool_or(k.identifying) DESC, count(*) DESC, m.customer_id
                LIMIT {IDuplicateStore.MaxCandidates}) k ON true
            LEFT JOIN crm_customers c ON c.tenant_id = s.tenant_id AND c.customer_id = k.customer_id AND NOT c.deleted AND c.match_profile IS NOT NULL
            WHERE s.tenant_id = $1 AND s.customer_id = ANY($2) AND NOT s.deleted AND s.match_profile IS NOT NULL
            ORDER BY s.customer_id
            """);
        command.Parameters.AddWithValue(tenantId);
        command.Parameters.AddWithValue(customerIds.ToArray());
        command.Parameters.AddWithValue(laterOnly);
        var blocks = new List<MatchBlock>();
        // Namesakes are candidates of one another over and over in a round: each is read once.
        var read = new Dictionary<string, MatchCandidate>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        List<MatchCandidate>? candidates = null;
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetString(0);
            if (blocks.Count == 0 || blocks[^1].Customer.CustomerId != id)
            {
                candidates = [];
                blocks.Add(new MatchBlock(Once(0), candidates));
            }

            if (!reader.IsDBNull(4))
            {
                candidates!.Add(Once(4));
            }
        }

        return blocks;

        MatchCandidate Once(int at)
        {
            var customerId = reader.GetString(at);
            if (!read.TryGetValue(customerId, out var candidate))
            {
                read[customerId] = candidate = Read(reader, at);
            }

            return candidate;
        }
    }

    public async Task<IReadOnlyList<string>> CustomerIdsAsync(string tenantId, string? after, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT customer_id FROM crm_customers
            WHERE tenant_id = $1 AND NOT deleted AND ($2::text IS NULL OR customer_id > $2)
            ORDER BY customer_id LIMIT $3
            """);
        command.Parameters.AddWithValue(tenantId);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)after ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.AddWithValue(limit);
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public async Task<long> CountCustomersAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM crm_customers WHERE tenant_id = $1 AND NOT deleted");
        command.Parameters.AddWithValue(tenantId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task ReplaceAsync(string tenantId, IReadOnlyCollection<string> checkedIds, IReadOnlyList<DuplicatePair> found, bool laterOnly, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        var delete = new NpgsqlBatchCommand("""
            DELETE FROM crm_duplicate_pairs
            WHERE tenant_id = $1 AND dismissed_at IS NULL AND (first_id = ANY($2) OR (NOT $3 AND second_id = ANY($2)))
            """);
        delete.Parameters.AddWithValue(tenantId);
        delete.Parameters.AddWithValue(checkedIds.ToArray());
        delete.Parameters.AddWithValue(laterOnly);
        batch.BatchCommands.Add(delete);
        if (found.Count > 0)
        {
            var pairs = found.DistinctBy(p => (p.FirstId, p.SecondId)).ToList();
            var insert = new NpgsqlBatchCommand("""
                INSERT INTO crm_duplicate_pairs (tenant_id, first_id, second_id, score, reasons, exact_identity, found_at)
                SELECT $1, u.*, $7::timestamptz FROM unnest($2::text[], $3::text[], $4::float8[], $5::jsonb[], $6::bool[]) AS u
                ON CONFLICT (tenant_id, first_id, second_id) DO NOTHING
                """);
            insert.Parameters.AddWithValue(tenantId);
            insert.Parameters.AddWithValue(pairs.Select(p => p.FirstId).ToArray());
            insert.Parameters.AddWithValue(pairs.Select(p => p.SecondId).ToArray());
            insert.Parameters.AddWithValue(pairs.Select(p => p.Score).ToArray());
            insert.Parameters.Add(new NpgsqlParameter
            {
                NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Jsonb,
                Value = pairs.Select(p => JsonSerializer.Serialize(p.Reasons)).ToArray(),
            });
            insert.Parameters.AddWithValue(pairs.Select(p => p.ExactIdentity).ToArray());
            insert.Parameters.AddWithValue(now);
            batch.BatchCommands.Add(insert);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<DuplicatePair>> ListAsync(string tenantId, double minScore, DuplicateCursor? after, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT p.first_id, p.second_id, p.score, p.reasons, p.exact_identity
            FROM crm_duplicate_pairs p
            WHERE p.tenant_id = $1 AND p.dismissed_at IS NULL AND p.score >= $2
                {(after is null ? "" : "AND (p.score < $4 OR (p.score = $4 AND (p.first_id, p.second_id) > ($5, $6)))")}
                AND EXISTS (SELECT 1 FROM crm_customers c WHERE c.tenant_id = p.tenant_id AND c.customer_id = p.first_id AND NOT c.deleted)
                AND EXISTS (SELECT 1 FROM crm_customers c WHERE c.tenant_id = p.tenant_id AND c.customer_id = p.second_id AND NOT c.deleted)
            ORDER BY p.score DESC, p.first_id, p.second_id
            LIMIT $3
            """);
        command.Parameters.AddWithValue(tenantId);
        command.Parameters.AddWithValue(minScore);
        command.Parameters.AddWithValue(limit);
        if (after is not null)
        {
            command.Parameters.AddWithValue(after.Score);
            command.Parameters.AddWithValue(after.FirstId);
            command.Parameters.AddWithValue(after.SecondId);
        }

        var pairs = new List<DuplicatePair>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            pairs.Add(new DuplicatePair(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetDouble(2),
                JsonSerializer.Deserialize<ImmutableArray<DuplicateReason>>(reader.GetString(3)),
                reader.GetBoolean(4)));
        }

        return pairs;
    }

    public async Task<bool> DismissAsync(string tenantId, string firstId, string secondId, string dismissedBy, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE crm_duplicate_pairs SET dismissed_at = $4, dismissed_by = $5
            WHERE tenant_id = $1 AND first_id = $2 AND second_id = $3
            """);
        command.Parameters.AddWithValue(tenantId);
        command.Parameters.AddWithValue(firstId);
        command.Parameters.AddWithValue(secondId);
        command.Parameters.AddWithValue(now);
        command.Parameters.AddWithValue(dismissedBy);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static MatchCandidate Read(NpgsqlDataReader reader, int at) => new(
        reader.GetString(at),
        JsonSerializer.Deserialize<MatchProfile>(reader.GetString(at + 1))!,
        AttributesJson.Read(reader.GetString(at + 2)),
        reader.GetFieldValue<DateTimeOffset>(at + 3));
}
