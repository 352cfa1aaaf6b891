using System.Collections.Immutable;
using Crm.Ingestion;
using Crm.Security;

namespace Crm.Customers;

/// <summary>A customer as the grain holds it now.</summary>
[GenerateSerializer, Immutable, Alias("crm.customer")]
public sealed record Customer
{
    [Id(0)] public string Id { get; init; } = "";
    [Id(1)] public CustomerProfile Profile { get; init; } = new();
    [Id(2)] public CustomerActivity Activity { get; init; } = CustomerActivity.None;
    /// <summary>Counts profile edits; the HTTP ETag.</summary>
    [Id(3)] public long Version { get; init; }
    /// <summary>The customer's latest change number; a watcher that saw it has seen everything before it.</summary>
    [Id(4)] public long Sequence { get; init; }
    [Id(5)] public DateTimeOffset CreatedAt { get; init; }
    [Id(6)] public DateTimeOffset UpdatedAt { get; init; }
    [Id(7)] public Actor? CreatedBy { get; init; }
    [Id(8)] public Actor? UpdatedBy { get; init; }
    [Id(9)] public Engagement Engagement { get; init; } = Engagement.None;
    /// <summary>The user ids, emails, phones and anonymous ids integrations know this customer by.</summary>
    [Id(10)] public ImmutableArray<Identity> Identities { get; init; } = [];
    /// <summary>Where the tenant's value segments put the customer, once they are trained and it has ordered.</summary>
    [Id(11)] public Analytics.ValueSegmentAssignment? ValueSegment { get; init; }
}
