using System.Collections.Immutable;
using Crm.Customers;

namespace Crm.Ingestion;

/// <summary>
/// What an identify or group call says about the person, typed and normalized: the profile fields it sets, and other
/// scalar traits as attributes. A field left null is not mentioned and changes nothing.
/// </summary>
[GenerateSerializer, Immutable, Alias("crm.traits")]
public sealed record Traits
{
    [Id(0)] public string? DisplayName { get; init; }
    [Id(1)] public string? GivenName { get; init; }
    [Id(2)] public string? FamilyName { get; init; }
    /// <summary>Lower-cased.</summary>
    [Id(3)] public string? Email { get; init; }
    /// <summary>E.164.</summary>
    [Id(4)] public string? Phone { get; init; }
    [Id(5)] public string? Company { get; init; }
    [Id(6)] public string? JobTitle { get; init; }
    [Id(7)] public PostalAddress? Address { get; init; }
    [Id(8)] public ImmutableDictionary<string, AttributeValue> Attributes { get; init; } = ImmutableDictionary<string, AttributeValue>.Empty;
}
