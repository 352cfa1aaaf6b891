using System.Collections.Immutable;

namespace Crm.Customers;

/// <summary>Everything a person edits about a customer. Validated and normalized before it reaches the grain.</summary>
[GenerateSerializer, Immutable, Alias("crm.customer-profile")]
public sealed record CustomerProfile
{
    public const int MaxTags = 50;

    [Id(0)] public string DisplayName { get; init; } = "";
    [Id(1)] public string? GivenName { get; init; }
    [Id(2)] public string? FamilyName { get; init; }
    /// <summary>Lower-cased addresses; the first is the primary one.</summary>
    [Id(3)] public ImmutableArray<string> Emails { get; init; } = [];
    /// <summary>E.164 numbers; the first is the primary one.</summary>
    [Id(4)] public ImmutableArray<string> Phones { get; init; } = [];
    [Id(5)] public string? Company { get; init; }
    [Id(6)] public string? JobTitle { get; init; }
    /// <summary>ISO 3166-1 alpha-2.</summary>
    [Id(7)] public string? Country { get; init; }
    [Id(8)] public PostalAddress? Address { get; init; }
    [Id(9)] public ImmutableArray<string> Tags { get; init; } = [];
    [Id(10)] public ImmutableDictionary<string, AttributeValue> Attributes { get; init; } = ImmutableDictionary<string, AttributeValue>.Empty;
    [Id(11)] public LifecycleStage Lifecycle { get; init; } = LifecycleStage.Lead;
    /// <summary>The user id of the agent who owns the relationship.</summary>
    [Id(12)] public string? OwnerId { get; init; }
    [Id(13)] public ImmutableDictionary<ConsentChannel, Consent> Consent { get; init; } = ImmutableDictionary<ConsentChannel, Consent>.Empty;
    /// <summary>The customer's id in the tenant's own systems (an ERP, a shop, a web site's user id): a user id events find it by.</summary>
    [Id(14)] public string? ExternalId { get; init; }
}
