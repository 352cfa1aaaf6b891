using System.Text.Json;
using System.Text.Json.Serialization;

namespace Crm.Web.Customers;

/// <summary>A customer's profile as clients send it: to create one, and (after a JSON merge patch) to change one.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CustomerProfileRequest
{
    public string? DisplayName { get; init; }
    public string? GivenName { get; init; }
    public string? FamilyName { get; init; }
    public List<string?>? Emails { get; init; }
    public List<string?>? Phones { get; init; }
    public string? Company { get; init; }
    public string? JobTitle { get; init; }
    public string? Country { get; init; }
    public AddressRequest? Address { get; init; }
    public List<string?>? Tags { get; init; }
    /// <summary>Strings, numbers, booleans, or dates written yyyy-MM-dd.</summary>
    public Dictionary<string, JsonElement>? Attributes { get; init; }
    public string? Lifecycle { get; init; }
    public string? OwnerId { get; init; }
    /// <summary>Channel (email, sms, call, post, push) to status (granted, denied, unknown).</summary>
    public Dictionary<string, string?>? Consent { get; init; }
    /// <summary>The customer's id in your own systems (ERP, shop, web site): events with this user id land on this customer.</summary>
    public string? ExternalId { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AddressRequest
{
    public string? Line1 { get; init; }
    public string? Line2 { get; init; }
    public string? City { get; init; }
    public string? Region { get; init; }
    public string? PostalCode { get; init; }
    public string? Country { get; init; }
}
