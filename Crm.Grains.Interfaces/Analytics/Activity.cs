using System.Collections.Immutable;
using Crm.Security;
using Crm.Timeline;

namespace Crm.Analytics;

/// <summary>Something that happened to one of a tenant's customers, as the analytic grains count it.</summary>
[GenerateSerializer, Immutable, Alias("crm.activity")]
public sealed record Activity
{
    [Id(0)] public string CustomerId { get; init; } = "";
    /// <summary>An interaction's channel ("call", "email"…) or an event's type ("identify", "track"…).</summary>
    [Id(1)] public string Type { get; init; } = "";
    [Id(2)] public InteractionChannel? Channel { get; init; }
    /// <summary>A tracked event's name, such as "Order Completed".</summary>
    [Id(3)] public string? EventName { get; init; }
    [Id(4)] public Actor? Agent { get; init; }
    [Id(5)] public DateTimeOffset At { get; init; }
    [Id(6)] public bool NewCustomer { get; init; }
}

[GenerateSerializer, Immutable, Alias("crm.activity-batch")]
public sealed record ActivityBatch([property: Id(0)] ImmutableArray<Activity> Items);
