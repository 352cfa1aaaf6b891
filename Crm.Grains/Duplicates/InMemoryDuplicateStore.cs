using System.Collections.Concurrent;
using Crm.Customers;

namespace Crm.Duplicates;

/// <summary>
/// The embedded mode's pairs, blocked on the embedded customer list's rows by the same keys, in the same order; it
/// compares every customer sharing a key (its tenants are small), not only the first ones per key.
/// </summary>
public sealed class InMemoryDuplicateStore(InMemoryCustomerDirectory directory) : IDuplicateStore
{
    private readonly ConcurrentDictionary<(string TenantId, string FirstId, string SecondId), (DuplicatePair Pair, bool Dismissed)> _pairs = new();

    public Task<IReadOnlyList<MatchBlock>> BlocksAsync(string tenantId, IReadOnlyCollection<string> customerIds, bool laterOnly, CancellationToken cancellationToken = default)
    {
        var rows = directory.Rows(tenantId).ToList();
        var keyed = rows.Select(r => (Row: r, Keys: r.Match.Keys(r.Attributes).ToHashSet())).ToList();
        var wanted = customerIds.ToHashSet(StringComparer.Ordinal);
        IReadOnlyList<MatchBlock> blocks =
        [
            .. keyed.Where(s => wanted.Contains(s.Row.Key.CustomerId)).Select(s => new MatchBlock(
                Candidate(s.Row),
                [.. keyed.Where(c => c.Row.Key.CustomerId != s.Row.Key.CustomerId
                        && (!laterOnly || string.CompareOrdinal(c.Row.Key.CustomerId, s.Row.Key.CustomerId) > 0)
                        && c.Keys.Overlaps(s.Keys))
                    .OrderByDescending(c => c.Keys.Any(k => s.Keys.Contains(k) && MatchProfile.IsIdentifying(k)))
                    .ThenByDescending(c => c.Keys.Count(s.Keys.Contains))
                    .ThenBy(c => c.Row.Key.CustomerId, StringComparer.Ordinal)
                    .Take(IDuplicateStore.MaxCandidates)
                    .Select(c => Candidate(c.Row))])),
        ];
        return Task.FromResult(blocks);
    }

    public Task<IReadOnlyList<string>> CustomerIdsAsync(string tenantId, string? after, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>([.. directory.Rows(tenantId).Select(r => r.Key.CustomerId)
            .Where(id => after is null || string.CompareOrdinal(id, after) > 0).Order(StringComparer.Ordinal).Take(limit)]);

    public Task<long> CountCustomersAsync(string tenantId, CancellationToken cancellationToken = default) =>
        Task.FromResult(directory.Rows(tenantId).LongCount());

    public Task ReplaceAsync(string tenantId, IReadOnlyCollection<string> checkedIds, IReadOnlyList<DuplicatePair> found, bool laterOnly, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var ids = checkedIds.ToHashSet(StringComparer.Ordinal);
        foreach (var (key, value) in _pairs)
        {
            if (key.TenantId == tenantId && !value.Dismissed && (ids.Contains(key.FirstId) || (!laterOnly && ids.Contains(key.SecondId))))
            {
                _pairs.TryRemove(key, out _);
            }
        }

        foreach (var pair in found)
        {
            _pairs.AddOrUpdate((tenantId, pair.FirstId, pair.SecondId), (pair, false), (_, existing) => existing.Dismissed ? existing : (pair, false));
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<DuplicatePair>> ListAsync(string tenantId, double minScore, DuplicateCursor? after, int limit, CancellationToken cancellationToken = default)
    {
        var live = directory.Rows(tenantId).Select(r => r.Key.CustomerId).ToHashSet(StringComparer.Ordinal);
        return Task.FromResult<IReadOnlyList<DuplicatePair>>([.. _pairs
            .Where(p => p.Key.TenantId == tenantId && !p.Value.Dismissed && p.Value.Pair.Score >= minScore
                && live.Contains(p.Key.FirstId) && live.Contains(p.Key.SecondId))
            .Select(p => p.Value.Pair)
            .OrderByDescending(p => p.Score).ThenBy(p => p.FirstId, StringComparer.Ordinal).ThenBy(p => p.SecondId, StringComparer.Ordinal)
            .Where(p => after is null || p.Score < after.Score
                || (p.Score == after.Score && (string.CompareOrdinal(p.FirstId, after.FirstId) > 0
                    || (p.FirstId == after.FirstId && string.CompareOrdinal(p.SecondId, after.SecondId) > 0))))
            .Take(limit)]);
    }

    public Task<bool> DismissAsync(string tenantId, string firstId, string secondId, string dismissedBy, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var key = (tenantId, firstId, secondId);
        return Task.FromResult(_pairs.TryGetValue(key, out var pair) && _pairs.TryUpdate(key, (pair.Pair, true), pair));
    }

    private static MatchCandidate Candidate(CustomerSummary row) => new(row.Key.CustomerId, row.Match, row.Attributes, row.CreatedAt);
}
