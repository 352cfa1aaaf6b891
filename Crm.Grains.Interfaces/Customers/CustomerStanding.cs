namespace Crm.Customers;

public enum CustomerStandingKind
{
    /// <summary>Nobody has created this customer yet (an identity may be claimed for it already).</summary>
    NotCreated = 0,
    /// <summary>Known only by anonymous ids: a visitor, who may turn out to be a known customer.</summary>
    Anonymous = 1,
    /// <summary>Known by a user id, an email or a phone.</summary>
    Identified = 2,
    Deleted = 3,
    /// <summary>Folded into another customer: see <see cref="CustomerStanding.MergedInto"/>.</summary>
    Merged = 4,
}

/// <summary>What identity resolution needs to know about a customer.</summary>
[GenerateSerializer, Immutable, Alias("crm.customer-standing")]
public sealed record CustomerStanding(
    [property: Id(0)] CustomerStandingKind Kind,
    [property: Id(1)] string? MergedInto = null);
