using System.Collections.Concurrent;

namespace Crm.Customers;

public sealed class InMemoryCustomerDirectory : ICustomerDirectory
{
    private readonly ConcurrentDictionary<CustomerKey, CustomerSummary> _rows = new();

    public Task UpsertAsync(CustomerSummary summary, CancellationToken cancellationToken = default)
    {
        _rows.AddOrUpdate(summary.Key, summary, (_, existing) => existing.Sequence > summary.Sequence ? existing : summary);
        return Task.CompletedTask;
    }

    public Task<CustomerSearchPage> SearchAsync(CustomerSearch search, CancellationToken cancellationToken = default)
    {
        var text = search.Text?.ToLowerInvariant();
        var rows = _rows.Values
            .Where(r => r.Key.TenantId == search.TenantId && !r.Deleted)
            .Where(r => text is null || r.SearchText.Contains(text, StringComparison.Ordinal))
            .Where(r => search.After is not { } after || r.Position.CompareTo(after) > 0)
            .OrderBy(r => r.Position)
            .Take(search.Limit + 1)
            .ToList();
        return Task.FromResult(CustomerSearchPages.From(rows, search.Limit));
    }
}
