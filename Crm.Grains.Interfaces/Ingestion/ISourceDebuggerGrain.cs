using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Crm.Ingestion;

/// <summary>
/// A source's live debugger: the last events it sent, accepted or not, and why. Keyed "{tenant}/{sourceId}";
/// in memory only, as it is for watching an integration while setting it up.
/// </summary>
[Alias("crm.source-debugger-grain")]
public interface ISourceDebuggerGrain : IGrainWithStringKey
{
    [Alias("record"), OneWay]
    Task RecordAsync(ImmutableArray<DebuggerEntry> entries);

    /// <summary>Newest first. Asking counts as watching: the source's events are recorded while someone asks.</summary>
    [Alias("recent")]
    Task<ImmutableArray<DebuggerEntry>> GetRecentAsync();

    /// <summary>Whether anyone asked for the recent events lately: only then are events recorded.</summary>
    [Alias("is-watched"), ReadOnly]
    Task<bool> IsWatchedAsync();
}

public enum DebuggerOutcome
{
    Accepted = 0,
    Duplicate = 1,
    Rejected = 2,
}

[GenerateSerializer, Immutable, Alias("crm.debugger-entry")]
public sealed record DebuggerEntry
{
    [Id(0)] public DateTimeOffset At { get; init; }
    [Id(1)] public DebuggerOutcome Outcome { get; init; }
    [Id(2)] public string? Reason { get; init; }
    [Id(3)] public string? MessageId { get; init; }
    [Id(4)] public string? Type { get; init; }
    [Id(5)] public string? Name { get; init; }
    /// <summary>The message as sent, cut to a few kilobytes.</summary>
    [Id(6)] public string? Payload { get; init; }
}
