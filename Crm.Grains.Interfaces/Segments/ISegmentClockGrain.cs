namespace Crm.Segments;

/// <summary>
/// Moves a tenant's customers in and out of the segments whose rules hold within a window back from now
/// ("last contact within 30 days") as time passes, when no change of theirs would: a few minutes apart, published
/// on the tenant's membership stream like every other membership change. Keyed by tenant.
/// </summary>
[Alias("crm.segment-clock-grain")]
public interface ISegmentClockGrain : IGrainWithStringKey
{
    /// <summary>The tenant's segments changed: following time starts or stops with the segments that need it.</summary>
    /// <param name="anyMovesWithTime">Whether any of the segments now has a rule that time moves.</param>
    [Alias("segments-changed"), Orleans.Concurrency.OneWay]
    Task SegmentsChangedAsync(bool anyMovesWithTime);

    /// <summary>Publishes who entered or left a segment with time since it last did; what its reminder runs.</summary>
    [Alias("follow-time")]
    Task FollowTimeAsync();
}
