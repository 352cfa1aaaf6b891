using Crm.Security;

namespace Crm.Segments;

/// <summary>A named rule set a tenant keeps, for lists, analysis and campaign audiences.</summary>
[GenerateSerializer, Immutable, Alias("crm.saved-segment")]
public sealed record SavedSegment(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] SegmentRule Rule,
    [property: Id(3)] long Version,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] Actor CreatedBy,
    [property: Id(6)] DateTimeOffset UpdatedAt,
    [property: Id(7)] Actor UpdatedBy);

public enum SegmentSaveOutcome
{
    Saved = 0,
    NotFound = 1,
    /// <summary>Another segment of the tenant has the name (names are unique whatever their case).</summary>
    NameTaken = 2,
    /// <summary>The tenant has <see cref="ISegmentsGrain.MaxSegments"/> already.</summary>
    TooMany = 3,
    /// <summary>The segment changed since the version the caller expected.</summary>
    VersionMismatch = 4,
}

[GenerateSerializer, Immutable, Alias("crm.segment-save-result")]
public sealed record SegmentSaveResult([property: Id(0)] SegmentSaveOutcome Outcome, [property: Id(1)] SavedSegment? Segment);

/// <summary>A tenant's saved segments, keyed by tenant.</summary>
[Alias("crm.segments-grain")]
public interface ISegmentsGrain : IGrainWithStringKey
{
    public const int MaxSegments = 500;

    /// <summary>Answered between the steps of a save too: every silo's customers read it, and a save's state is whole once written.</summary>
    [Alias("list"), Orleans.Concurrency.AlwaysInterleave]
    Task<IReadOnlyList<SavedSegment>> ListAsync();

    [Alias("get"), Orleans.Concurrency.ReadOnly]
    Task<SavedSegment?> GetAsync(string id);

    [Alias("create")]
    Task<SegmentSaveResult> CreateAsync(string name, SegmentRule rule, Actor actor);

    /// <param name="expectedVersion">When given, the update applies only to that version.</param>
    [Alias("update")]
    Task<SegmentSaveResult> UpdateAsync(string id, string name, SegmentRule rule, long? expectedVersion, Actor actor);

    [Alias("delete")]
    Task<bool> DeleteAsync(string id);
}

/// <summary>How many customers each of a tenant's segments holds, as one picture.</summary>
[GenerateSerializer, Immutable, Alias("crm.segment-counts")]
public sealed record SegmentCounts(
    [property: Id(0)] string TenantId,
    [property: Id(1)] System.Collections.Immutable.ImmutableDictionary<string, long> MemberCounts,
    [property: Id(2)] DateTimeOffset CountedAt);

/// <summary>
/// A tenant's segment member counts while someone watches them: recounted when customers enter or leave a segment
/// (its membership stream) or the segments change, a few seconds apart at most, and published on the tenant's
/// segment-counts stream.
/// </summary>
[Alias("crm.segment-counts-grain")]
public interface ISegmentCountsGrain : IGrainWithStringKey
{
    /// <summary>Someone watches the counts: they are kept up for a while after.</summary>
    /// <returns>The counts now.</returns>
    [Alias("watch")]
    Task<SegmentCounts> WatchAsync();

    /// <summary>The tenant's segments changed: the counts may have moved.</summary>
    [Alias("segments-changed"), Orleans.Concurrency.OneWay]
    Task SegmentsChangedAsync();
}
