using System.Collections.Immutable;
using Crm.Ingestion;

namespace Crm.Customers;

/// <summary>
/// The limits on how many identities one customer may collect, so that one integration sending the same identity
/// for everyone cannot fuse thousands of people into one profile.
/// </summary>
public static class CustomerIdentities
{
    public static readonly IReadOnlyDictionary<IdentityKind, int> MaxPerKind = new Dictionary<IdentityKind, int>
    {
        [IdentityKind.User] = 5,
        [IdentityKind.Email] = 10,
        [IdentityKind.Phone] = 10,
        [IdentityKind.Anonymous] = 100,
    };

    /// <summary>The identities a customer holds after taking in new ones, within the limits; the rest are left out.</summary>
    public static ImmutableArray<Identity> Add(ImmutableArray<Identity> held, IEnumerable<Identity> incoming)
    {
        var result = held.ToBuilder();
        foreach (var identity in incoming)
        {
            if (!result.Contains(identity) && result.Count(i => i.Kind == identity.Kind) < MaxPerKind[identity.Kind])
            {
                result.Add(identity);
            }
        }

        return result.Count == held.Length ? held : result.ToImmutable();
    }
}
