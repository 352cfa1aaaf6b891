using System.Collections.Concurrent;
using Crm.Segments;

namespace Crm.Customers;

public sealed class InMemoryCustomerDirectory : ICustomerDirectory
{
    private readonly ConcurrentDictionary<CustomerKey, CustomerSummary> _rows = new();

    public Task UpsertAsync(CustomerSummary summary, CancellationToken cancellationToken = default)
    {
        _rows.AddOrUpdate(summary.Key, summary, (_, existing) => existing.Sequence > summary.Sequence ? existing : summary);
        return Task.CompletedTask;
    }

    public Task<CustomerSearchPage> SearchAsync(CustomerSearch search, CancellationToken cancellationToken = default) =>
        CustomerSearchFallback.SearchAsync(search, FindAsync);

    private Task<CustomerSearchPage> FindAsync(CustomerSearch search)
    {
        var sort = search.Sort;
        var rows = Found(search)
            .Select(r => (Row: r, Position: sort.PositionOf(r)))
            .Where(r => search.After is not { } after || sort.Compare(r.Position, after) > 0)
            .OrderBy(r => r.Position, Comparer<CustomerListCursor>.Create(sort.Compare))
            .Take(search.Limit + 1)
            .Select(r => r.Row)
            .ToList();
        return Task.FromResult(CustomerSearchPages.From(rows, search));
    }

    public Task<long> CountAsync(CustomerSearch search, CancellationToken cancellationToken = default) =>
        CustomerSearchFallback.CountAsync(search, s => Task.FromResult(Found(s).LongCount()));

    public Task<IReadOnlyList<long>> CountEachAsync(string tenantId, IReadOnlyList<SegmentRule> rules, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var rows = Found(new CustomerSearch(tenantId, null, null, 0)).ToList();
        return Task.FromResult<IReadOnlyList<long>>([.. rules.Select(rule => rows.LongCount(r => SegmentMatch.Matches(rule, r, now)))]);
    }

    public Task<IReadOnlyList<MovedByTime>> MovedWithTimeAsync(string tenantId, IReadOnlyList<RuleSince> rules, DateTimeOffset to, string? afterId, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<MovedByTime>>([.. Rows(tenantId)
            .Where(r => afterId is null || string.CompareOrdinal(r.Key.CustomerId, afterId) > 0)
            .OrderBy(r => r.Key.CustomerId, StringComparer.Ordinal)
            .Select(r => new MovedByTime(r.Key.CustomerId, r.Sequence, [.. rules
                .Select((rule, i) => (Rule: i, IsMember: SegmentMatch.Matches(rule.Rule, r, to), Was: SegmentMatch.Matches(rule.Rule, r, rule.Since)))
                .Where(m => m.IsMember != m.Was)
                .Select(m => (m.Rule, m.IsMember))]))
            .Where(m => m.Moves.Count > 0)
            .Take(limit)]);

    private static bool HasSlipOf(CustomerSummary row, SearchWord word) => word.Keys.Any(row.TypoKeys.Contains);

    /// <summary>The tenant's customers that exist.</summary>
    public IEnumerable<CustomerSummary> Rows(string tenantId) =>
        _rows.Values.Where(r => r.Key.TenantId == tenantId && !r.Deleted);

    private IEnumerable<CustomerSummary> Found(CustomerSearch search)
    {
        var (patterns, words) = (search.Patterns, search.Words);
        return Rows(search.TenantId)
            .Where(r => search.BySlips
                ? words.All(w => r.SearchText.Contains(w.Word, StringComparison.Ordinal) || HasSlipOf(r, w))
                : patterns.Count == 0 || patterns.Any(p => r.SearchText.Contains(p, StringComparison.Ordinal)))
            .Where(r => search.Rule is not { } rule || SegmentMatch.Matches(rule, r, search.Now));
    }
}
