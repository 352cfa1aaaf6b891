using System.Collections.Immutable;

namespace Crm.Analytics;

/// <summary>A tenant's live KPIs at one moment.</summary>
[GenerateSerializer, Immutable, Alias("crm.live-kpis")]
public sealed record LiveKpis
{
    [Id(0)] public DateTimeOffset At { get; init; }
    /// <summary>Events and interactions per minute, oldest first, the current (partial) minute last.</summary>
    [Id(1)] public ImmutableArray<MinuteCount> PerMinute { get; init; } = [];
    /// <summary>The last 60 seconds by type ("track", "page", "call"…).</summary>
    [Id(2)] public ImmutableArray<NamedCount> LastMinuteByType { get; init; } = [];
    /// <summary>The last 60 seconds by channel ("web", "call"…).</summary>
    [Id(3)] public ImmutableArray<NamedCount> LastMinuteByChannel { get; init; } = [];
    [Id(4)] public long LastMinute { get; init; }
    [Id(5)] public int ActiveCustomers5Minutes { get; init; }
    [Id(6)] public int ActiveCustomers1Hour { get; init; }
    [Id(7)] public int ActiveCustomers24Hours { get; init; }
    [Id(8)] public int NewCustomersToday { get; init; }
    /// <summary>Tracked events by name over the last hour, most frequent first.</summary>
    [Id(9)] public ImmutableArray<NamedCount> TopEvents { get; init; } = [];
    /// <summary>Interactions logged today (UTC) by agent.</summary>
    [Id(10)] public ImmutableArray<NamedCount> InteractionsByAgent { get; init; } = [];
    /// <summary>Interactions today (UTC) by channel.</summary>
    [Id(11)] public ImmutableArray<NamedCount> InteractionsByChannel { get; init; } = [];
    [Id(12)] public long TotalToday { get; init; }
}

[GenerateSerializer, Immutable, Alias("crm.minute-count")]
public sealed record MinuteCount([property: Id(0)] DateTimeOffset Minute, [property: Id(1)] long Count);

[GenerateSerializer, Immutable, Alias("crm.named-count")]
public sealed record NamedCount([property: Id(0)] string Name, [property: Id(1)] long Count);
