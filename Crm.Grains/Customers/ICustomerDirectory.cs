namespace Crm.Customers;

/// <summary>
/// Each tenant's customer list, for listing and search. A projection the customer grains keep up to date:
/// the grain's state is the truth, and the grain re-asserts its row on activation.
/// </summary>
public interface ICustomerDirectory
{
    /// <summary>Writes the row unless a row with a higher sequence is already there.</summary>
    Task UpsertAsync(CustomerSummary summary, CancellationToken cancellationToken = default);

    /// <summary>Deleted customers are never returned. Ordered by name, then id.</summary>
    Task<CustomerSearchPage> SearchAsync(CustomerSearch search, CancellationToken cancellationToken = default);

    /// <summary>How many customers the search finds, all pages together.</summary>
    Task<long> CountAsync(CustomerSearch search, CancellationToken cancellationToken = default);

    /// <summary>How many of the tenant's customers each rule holds for, in one pass over them: a tenant's segments counted together.</summary>
    Task<IReadOnlyList<long>> CountEachAsync(string tenantId, IReadOnlyList<Segments.SegmentRule> rules, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// The tenant's customers some rule holds for at its <see cref="Segments.RuleSince.Since"/> and not at
    /// <paramref name="to"/>, or the other way round (a <c>within</c> window moved past them), in id order after
    /// <paramref name="afterId"/>: one pass over the tenant for every rule.
    /// </summary>
    Task<IReadOnlyList<Segments.MovedByTime>> MovedWithTimeAsync(string tenantId, IReadOnlyList<Segments.RuleSince> rules, DateTimeOffset to, string? afterId, int limit, CancellationToken cancellationToken = default);
}
