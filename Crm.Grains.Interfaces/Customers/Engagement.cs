using System.Collections.Immutable;

namespace Crm.Customers;

/// <summary>How a customer engages through integrations: events by type, when last seen, and visits (sessions).</summary>
[GenerateSerializer, Immutable, Alias("crm.engagement")]
public sealed record Engagement
{
    public static readonly Engagement None = new();

    /// <summary>A gap this long between two events starts a new session, as web analytics count visits.</summary>
    public static readonly TimeSpan SessionGap = TimeSpan.FromMinutes(30);

    [Id(0)] public ImmutableDictionary<string, long> EventsByType { get; init; } = ImmutableDictionary<string, long>.Empty;
    [Id(1)] public DateTimeOffset? LastSeenAt { get; init; }
    [Id(2)] public long Sessions { get; init; }

    public Engagement Count(string type, DateTimeOffset at) => this with
    {
        EventsByType = EventsByType.SetItem(type, EventsByType.GetValueOrDefault(type) + 1),
        LastSeenAt = LastSeenAt is { } last && last >= at ? last : at,
        Sessions = LastSeenAt is { } previous && at - previous < SessionGap ? Sessions : Sessions + 1,
    };
}
