using Crm.Customers;

namespace Crm.Ingestion;

/// <summary>
/// Which customer each identity (user id, email, phone, anonymous id) of a tenant belongs to: how events, webhooks and
/// imports find the customer they are about. A customer grain claims its own identities when it gains them (through
/// an event, an edit in the console or the API, an import or a merge) and releases them when they are removed; the
/// first customer to claim an identity owns it.
/// </summary>
public interface IIdentityIndex
{
    /// <summary>The owners of the identities that have one, in one lookup.</summary>
    Task<IReadOnlyDictionary<TenantIdentity, IdentityOwner>> FindAsync(IReadOnlyCollection<TenantIdentity> identities, CancellationToken cancellationToken = default);

    /// <summary>Makes the customer the owner of each identity nobody owns.</summary>
    /// <returns>Those of the identities the customer owns afterwards.</returns>
    Task<IReadOnlySet<Identity>> ClaimAsync(CustomerKey customer, IReadOnlyCollection<Identity> identities, CancellationToken cancellationToken = default);

    /// <summary>Gives up the identities, where the customer owns them.</summary>
    Task ReleaseAsync(CustomerKey customer, IReadOnlyCollection<Identity> identities, CancellationToken cancellationToken = default);

    /// <summary>A merge: the identities owned by <paramref name="from"/> that are listed move to <paramref name="to"/>; its others are released.</summary>
    Task MoveAsync(CustomerKey from, CustomerKey to, IReadOnlyCollection<Identity> identities, CancellationToken cancellationToken = default);

    /// <summary>An undone merge: the identities owned by <paramref name="from"/> that are listed move to <paramref name="to"/>; its others stay its own.</summary>
    Task HandOverAsync(CustomerKey from, CustomerKey to, IReadOnlyCollection<Identity> identities, CancellationToken cancellationToken = default);
}

public readonly record struct TenantIdentity(string TenantId, Identity Identity);

/// <param name="Identified">Whether the customer owns a user id, an email or a phone, not only anonymous ids: a visitor is not identified.</param>
/// <param name="UserIds">How many user ids the customer owns.</param>
public sealed record IdentityOwner(string CustomerId, bool Identified, int UserIds);
