using System.Collections.Immutable;
using System.IO.Hashing;
using System.Text;
using BitFaster.Caching.Lru;
using Crm.Customers;

namespace Crm.Ingestion;

/// <summary>
/// Finds the customer each event of a batch is about, in the order received, with one index lookup for the identities
/// it has not seen lately. The rules:
/// <list type="bullet">
/// <item>The event's strongest identity (user id, then email, phone, anonymous id) decides the customer when someone owns it.</item>
/// <item>A user id nobody owns joins the identified customer that owns the event's email or phone if that customer has
/// no user id yet (one created in the console or imported, say): a customer known by another user id is another
/// person. Failing that, an anonymous visitor owning a weaker identity becomes the customer; failing that, a new one
/// is named after the strongest identity.</item>
/// <item>Other anonymous visitors owning the event's identities are folded into that customer. Identified customers are
/// never merged with each other: an identity one of them owns stays with it.</item>
/// </list>
/// New customers get ids derived from the identity they are named after ("a…" for an anonymous id, "u…" otherwise), so
/// that every node agrees on them; one that was deleted is followed by <see cref="SuccessorOf"/>. What it resolved is remembered in a bounded LRU: only a hint, dropped when a customer
/// turns out to be merged or gives an identity up.
/// </summary>
public sealed class IdentityResolver(IIdentityIndex index, int capacity)
{
    private readonly ConcurrentLru<TenantIdentity, IdentityOwner> _owners = new(capacity);

    /// <param name="Claim">The event's identities the customer is to claim: those nobody else owns.</param>
    /// <param name="Absorb">Anonymous visitors to fold into the customer once the event is applied.</param>
    public sealed record Resolution(string CustomerId, ImmutableArray<Identity> Claim, ImmutableArray<string> Absorb);

    /// <returns>One resolution per event, in order.</returns>
    public async Task<IReadOnlyList<Resolution>> ResolveAsync(IReadOnlyList<LoggedEvent> events, CancellationToken cancellationToken = default)
    {
        var unknown = events
            .SelectMany(e => e.Event.Identities.Select(i => new TenantIdentity(e.TenantId, i)))
            .Where(i => !_owners.TryGet(i, out _))
            .ToHashSet();
        if (unknown.Count > 0)
        {
            foreach (var (identity, owner) in await index.FindAsync(unknown, cancellationToken))
            {
                _owners.AddOrUpdate(identity, owner);
            }
        }

        return [.. events.Select(Resolve)];
    }

    /// <summary>
    /// The anonymous visitors that own some of these identities, looked up afresh: a customer that lost the race to
    /// claim them (another partition resolved a visitor first) folds those visitors in, as it would have had they
    /// been there when its event was resolved.
    /// </summary>
    public async Task<IReadOnlyList<string>> VisitorsOwningAsync(string tenantId, IReadOnlyCollection<Identity> identities, string exceptCustomerId)
    {
        var owners = await index.FindAsync([.. identities.Select(i => new TenantIdentity(tenantId, i))]);
        foreach (var (identity, owner) in owners)
        {
            _owners.AddOrUpdate(identity, owner);
        }

        return [.. owners.Values.Where(o => !o.Identified && o.CustomerId != exceptCustomerId).Select(o => o.CustomerId).Distinct()];
    }

    public void Forget(string tenantId, IEnumerable<Identity> identities)
    {
        foreach (var identity in identities)
        {
            _owners.TryRemove(new TenantIdentity(tenantId, identity));
        }
    }

    private Resolution Resolve(LoggedEvent logged)
    {
        var identities = logged.Event.Identities;
        var owners = identities.Select(i => _owners.TryGet(new TenantIdentity(logged.TenantId, i), out var owner) ? owner : null).ToArray();
        var decided = owners[0]
            ?? (identities[0].Kind == IdentityKind.User
                ? owners.Skip(1).Where((o, i) => o is { Identified: true, UserIds: 0 } && identities[i + 1].Kind is IdentityKind.Email or IdentityKind.Phone).FirstOrDefault()
                : null)
            ?? owners.Skip(1).FirstOrDefault(o => o is { Identified: false });
        var customerId = decided?.CustomerId ?? NewCustomerId(logged.TenantId, identities[0]);

        var claim = identities.Where((_, i) => owners[i] is null || owners[i]!.CustomerId == customerId).ToImmutableArray();
        var absorb = owners.Where(o => o is { Identified: false } && o.CustomerId != customerId).Select(o => o!.CustomerId).Distinct().ToImmutableArray();
        var identified = decided is { Identified: true } || claim.Any(i => i.Kind != IdentityKind.Anonymous);
        var userIds = (decided?.UserIds ?? 0) + claim.Count(i => i.Kind == IdentityKind.User && owners[identities.IndexOf(i)] is null);
        var resolved = new IdentityOwner(customerId, identified, userIds);
        // The absorbed visitors' identities follow them into the customer.
        foreach (var (identity, owner) in identities.Zip(owners))
        {
            if (owner is null || owner.CustomerId == customerId || absorb.Contains(owner.CustomerId))
            {
                _owners.AddOrUpdate(new TenantIdentity(logged.TenantId, identity), resolved);
            }
        }

        return new Resolution(customerId, claim, absorb);
    }

    /// <summary>
    /// The customer that takes the events of a deleted one: someone it knew came back. Derived from the deleted id, so
    /// every node agrees, and never the deleted customer itself, whose history stays with it.
    /// </summary>
    public static string SuccessorOf(string tenantId, string deletedCustomerId) =>
        deletedCustomerId[..1] + Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes($"{tenantId}/{deletedCustomerId}/next")));

    private static string NewCustomerId(string tenantId, Identity identity) =>
        (identity.Kind == IdentityKind.Anonymous ? "a" : "u") + Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes($"{tenantId}/{identity.Key}")));
}
