using System.IO.Hashing;
using System.Text;
using Crm.Customers;

namespace Crm.Ingestion;

/// <summary>
/// Finds the customer an event is about through the identity index grains. Processors apply partitions in
/// parallel, so the same person's events may be resolved at the same moment; the rules below converge anyway:
/// <list type="bullet">
/// <item>An identity belongs to the first customer that claims it; merges are followed to the surviving customer.</item>
/// <item>The event's strongest identity (user id, then email, phone, anonymous id) decides the customer; if nobody
/// owns it yet, an anonymous visitor owning a weaker one becomes that customer, else a new one is named after it.</item>
/// <item>Other anonymous visitors owning the event's identities are folded into that customer. Identified customers
/// are never merged with each other: an identity one of them owns stays with it.</item>
/// </list>
/// New customers get ids derived from the identity they are named after ("a…" for an anonymous id, "u…" otherwise),
/// so concurrent first events agree on the id, and a customer not created yet can be told to be a visitor.
/// </summary>
public sealed class IdentityResolver(IGrainFactory grains)
{
    private const int MaxMergeHops = 8;

    /// <returns>
    /// The customer the identities belong to, and the anonymous customers to fold into it once the event is applied;
    /// null when the event names nobody usable.
    /// </returns>
    public async Task<Resolution?> ResolveAsync(string tenantId, IReadOnlyList<Identity> identities)
    {
        if (identities.Count == 0)
        {
            return null;
        }

        var owners = await Task.WhenAll(identities.Select(async i => await Index(tenantId, i).GetOwnerAsync() is { } owner ? await FollowAsync(tenantId, owner) : null));
        var candidate = owners[0];
        for (var i = 1; candidate is null && i < owners.Length; i++)
        {
            if (owners[i] is { } owner && await IsVisitorAsync(tenantId, owner))
            {
                candidate = owner;
            }
        }

        candidate ??= NewCustomerId(tenantId, identities[0]);
        var finals = new List<string>();
        foreach (var identity in identities)
        {
            var owner = await Index(tenantId, identity).ClaimAsync(candidate);
            var current = await FollowAsync(tenantId, owner);
            if (current != owner)
            {
                await Index(tenantId, identity).ReassignAsync(owner, current);
            }

            finals.Add(current);
        }

        var customerId = finals[0];
        var absorb = new List<string>();
        foreach (var other in finals.Skip(1).Distinct().Where(f => f != customerId))
        {
            if (await IsVisitorAsync(tenantId, other))
            {
                absorb.Add(other);
            }
        }

        return new Resolution(customerId, [.. identities.Where((_, i) => finals[i] == customerId)], absorb);
    }

    /// <param name="Owned">The event's identities that belong to the customer (an identity owned by another identified customer stays there).</param>
    public sealed record Resolution(string CustomerId, IReadOnlyList<Identity> Owned, IReadOnlyList<string> Absorb);

    /// <summary>The customer that holds what <paramref name="customerId"/> had, after any merges.</summary>
    private async Task<string> FollowAsync(string tenantId, string customerId)
    {
        for (var hop = 0; hop < MaxMergeHops; hop++)
        {
            if ((await Customer(tenantId, customerId).GetStandingAsync()).MergedInto is not { } next)
            {
                return customerId;
            }

            customerId = next;
        }

        throw new InvalidOperationException($"Customer {tenantId}/{customerId}: more than {MaxMergeHops} merges in a row.");
    }

    private async Task<bool> IsVisitorAsync(string tenantId, string customerId) =>
        (await Customer(tenantId, customerId).GetStandingAsync()).Kind switch
        {
            CustomerStandingKind.Anonymous => true,
            CustomerStandingKind.NotCreated => customerId.StartsWith('a'),
            _ => false,
        };

    private IIdentityGrain Index(string tenantId, Identity identity) => grains.GetGrain<IIdentityGrain>($"{tenantId}/{identity.Key}");

    private ICustomerGrain Customer(string tenantId, string customerId) => grains.GetGrain<ICustomerGrain>(new CustomerKey(tenantId, customerId).ToString());

    private static string NewCustomerId(string tenantId, Identity identity) =>
        (identity.Kind == IdentityKind.Anonymous ? "a" : "u") + Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes($"{tenantId}/{identity.Key}")));
}
