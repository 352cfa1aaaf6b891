using System.IO.Hashing;
using System.Text;
using Crm.Customers;

namespace Crm.Ingestion;

/// <summary>
/// Finds the customer an event is about through the identity index grains, creating one for a new person and
/// folding anonymous visitors into the customer they turn out to be. Identified customers are never merged with
/// each other automatically: when two of them claim one identity, the identity stays with the first.
/// </summary>
public sealed class IdentityResolver(IGrainFactory grains)
{
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

        var owners = await Task.WhenAll(identities.Select(i => Index(tenantId, i).GetOwnerAsync()));
        // A new person gets an id derived from their strongest identity, so that concurrent first events agree.
        var customerId = owners.FirstOrDefault(o => o is not null) ?? NewCustomerId(tenantId, identities[0]);
        var absorb = new List<string>();
        foreach (var identity in identities)
        {
            var owner = await Index(tenantId, identity).ClaimAsync(customerId);
            if (owner != customerId && !absorb.Contains(owner) && await IsAnonymousAsync(tenantId, owner))
            {
                absorb.Add(owner);
            }
        }

        return new Resolution(customerId, absorb);
    }

    public sealed record Resolution(string CustomerId, IReadOnlyList<string> Absorb);

    private async Task<bool> IsAnonymousAsync(string tenantId, string customerId) =>
        await Customer(tenantId, customerId).GetAsync() is { } customer && customer.Identities.All(i => i.Kind == IdentityKind.Anonymous);

    private IIdentityGrain Index(string tenantId, Identity identity) => grains.GetGrain<IIdentityGrain>($"{tenantId}/{identity.Key}");

    private ICustomerGrain Customer(string tenantId, string customerId) => grains.GetGrain<ICustomerGrain>(new CustomerKey(tenantId, customerId).ToString());

    private static string NewCustomerId(string tenantId, Identity identity) =>
        "i" + Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes($"{tenantId}/{identity.Key}")));
}
