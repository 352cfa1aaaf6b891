namespace Crm.Duplicates;

/// <summary>Where candidate pairs are found (by blocking key, in the customer list) and kept.</summary>
public interface IDuplicateStore
{
    /// <summary>
    /// Customers one is compared with at most, and read for each identifying key at most (the nearest by id): a key
    /// shared by more (a common name) says little. Those sharing an identifying key (email, phone, external id, an
    /// identifying attribute) come first, so that namesakes never crowd out the customer with the same phone; then
    /// those sharing the most keys.
    /// </summary>
    public const int MaxCandidates = 100;

    /// <summary>
    /// Customers read for one name or address key at most, those nearest by id (ids are made in time order, so those
    /// created about the same time): such a key is shared by thousands at a million customers, and a customer has four
    /// name keys, so that those sharing several keys still come to the top.
    /// </summary>
    public const int MaxPerSharedKey = 25;

    /// <summary>Each of the customers that exists, with the customers it shares a blocking key with.</summary>
    /// <param name="laterOnly">Only candidates with a greater id: a scan compares each pair once.</param>
    Task<IReadOnlyList<MatchBlock>> BlocksAsync(string tenantId, IReadOnlyCollection<string> customerIds, bool laterOnly, CancellationToken cancellationToken = default);

    /// <summary>The tenant's customers after <paramref name="after"/> by id, for a scan.</summary>
    Task<IReadOnlyList<string>> CustomerIdsAsync(string tenantId, string? after, int limit, CancellationToken cancellationToken = default);

    Task<long> CountCustomersAsync(string tenantId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The pairs of the checked customers found now replace those found before (with <paramref name="laterOnly"/>,
    /// only those whose first customer is a checked one). Dismissed pairs stay dismissed.
    /// </summary>
    Task ReplaceAsync(string tenantId, IReadOnlyCollection<string> checkedIds, IReadOnlyList<DuplicatePair> found, bool laterOnly, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Pairs not dismissed of customers that both exist, best first, from <paramref name="minScore"/> up.</summary>
    Task<IReadOnlyList<DuplicatePair>> ListAsync(string tenantId, double minScore, DuplicateCursor? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>Marks the pair as not one person: it is not offered again, whatever changes.</summary>
    /// <returns>False when there is no such pair.</returns>
    Task<bool> DismissAsync(string tenantId, string firstId, string secondId, string dismissedBy, DateTimeOffset now, CancellationToken cancellationToken = default);
}

/// <summary>Where a page of pairs ends: pairs are listed by score, best first, then by their ids.</summary>
public sealed record DuplicateCursor(double Score, string FirstId, string SecondId);
