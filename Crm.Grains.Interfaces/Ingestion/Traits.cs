using System.Collections.Immutable;
using Crm.Customers;

namespace Crm.Ingestion;

/// <summary>
/// What an identify or group call, or an imported row, says about the person, typed and normalized: the profile
/// fields it sets, and other scalar traits as attributes. A field left null (a list left empty) is not mentioned and
/// changes nothing; emails, phones and tags are added to the customer's, never put in place of them.
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
    /// <summary>More addresses after <see cref="Email"/>, lower-cased (an import's emails column).</summary>
    [Id(9)] public ImmutableArray<string> MoreEmails { get; init; } = [];
    /// <summary>More numbers after <see cref="Phone"/>, E.164.</summary>
    [Id(10)] public ImmutableArray<string> MorePhones { get; init; } = [];
    /// <summary>ISO 3166-1 alpha-2.</summary>
    [Id(11)] public string? Country { get; init; }
    [Id(12)] public ImmutableArray<string> Tags { get; init; } = [];
    [Id(13)] public LifecycleStage? Lifecycle { get; init; }
    /// <summary>Taken only by a customer that has no external id yet: an id in the tenant's systems is not overwritten.</summary>
    [Id(14)] public string? ExternalId { get; init; }
}
