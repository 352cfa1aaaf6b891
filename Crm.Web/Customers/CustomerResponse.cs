using System.Globalization;
using Crm.Customers;
using Crm.Ingestion;
using Crm.Security;
using Crm.Timeline;

namespace Crm.Web.Customers;

/// <summary>A customer as the API and the hub show it.</summary>
public sealed record CustomerResponse
{
    public required string Id { get; init; }
    public required string DisplayName { get; init; }
    public string? GivenName { get; init; }
    public string? FamilyName { get; init; }
    public required IReadOnlyList<string> Emails { get; init; }
    public required IReadOnlyList<string> Phones { get; init; }
    public string? Company { get; init; }
    public string? JobTitle { get; init; }
    public string? Country { get; init; }
    public PostalAddress? Address { get; init; }
    public required IReadOnlyList<string> Tags { get; init; }
    public required IReadOnlyDictionary<string, object> Attributes { get; init; }
    public LifecycleStage Lifecycle { get; init; }
    public string? OwnerId { get; init; }
    /// <summary>The customer's id in the tenant's own systems.</summary>
    public string? ExternalId { get; init; }
    public required IReadOnlyDictionary<ConsentChannel, Consent> Consent { get; init; }
    public required ActivityResponse Activity { get; init; }
    /// <summary>The profile's version, also sent as the ETag; send it back in If-Match to edit safely.</summary>
    public long Version { get; init; }
    /// <summary>The customer's change number this view includes: pass it to WatchCustomer to get everything after it.</summary>
    public long Sequence { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public Actor? CreatedBy { get; init; }
    public Actor? UpdatedBy { get; init; }
    /// <summary>What integrations report: events by type, when last seen, visits.</summary>
    public required EngagementResponse Engagement { get; init; }
    /// <summary>The user ids, emails, phones and anonymous ids integrations know the customer by.</summary>
    public required IReadOnlyList<Identity> Identities { get; init; }
    /// <summary>The value segment the tenant's model in use puts the customer in, with the numbers it was judged on; absent before it has one.</summary>
    public Crm.Analytics.ValueSegmentAssignment? ValueSegment { get; init; }

    public sealed record EngagementResponse(IReadOnlyDictionary<string, long> EventsByType, DateTimeOffset? LastSeenAt, long Sessions);

    public sealed record ActivityResponse(
        long TotalInteractions,
        IReadOnlyDictionary<InteractionChannel, long> ByChannel,
        DateTimeOffset? LastInteractionAt,
        DateTimeOffset? LastContactAt);

    public static CustomerResponse From(Customer customer)
    {
        var profile = customer.Profile;
        return new CustomerResponse
        {
            Id = customer.Id,
            DisplayName = profile.DisplayName,
            GivenName = profile.GivenName,
            FamilyName = profile.FamilyName,
            Emails = profile.Emails,
            Phones = profile.Phones,
            Company = profile.Company,
            JobTitle = profile.JobTitle,
            Country = profile.Country,
            Address = profile.Address,
            Tags = profile.Tags,
            Attributes = profile.Attributes.ToDictionary(a => a.Key, a => AttributeJson(a.Value)),
            Lifecycle = profile.Lifecycle,
            OwnerId = profile.OwnerId,
            ExternalId = profile.ExternalId,
            Consent = profile.Consent,
            Activity = new ActivityResponse(
                customer.Activity.TotalInteractions,
                customer.Activity.InteractionsByChannel,
                customer.Activity.LastInteractionAt,
                customer.Activity.LastContactAt),
            Version = customer.Version,
            Sequence = customer.Sequence,
            CreatedAt = customer.CreatedAt,
            UpdatedAt = customer.UpdatedAt,
            CreatedBy = customer.CreatedBy,
            UpdatedBy = customer.UpdatedBy,
            Engagement = new EngagementResponse(customer.Engagement.EventsByType, customer.Engagement.LastSeenAt, customer.Engagement.Sessions),
            Identities = customer.Identities,
            ValueSegment = customer.ValueSegment,
        };
    }

    /// <summary>Numbers and booleans as JSON numbers and booleans; text and dates (yyyy-MM-dd) as strings.</summary>
    public static object AttributeJson(AttributeValue value) => value.Kind switch
    {
        AttributeKind.Number => decimal.Parse(value.Value, CultureInfo.InvariantCulture),
        AttributeKind.Boolean => value.Value == "true",
        _ => value.Value,
    };

    public static string ETag(Customer customer) => $"\"{customer.Version}\"";
}
