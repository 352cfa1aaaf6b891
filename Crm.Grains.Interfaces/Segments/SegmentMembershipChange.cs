using System.Collections.Immutable;

namespace Crm.Segments;

/// <summary>Why a customer's membership of a segment moved.</summary>
public enum SegmentMembershipCause
{
    /// <summary>The customer changed (created, edited, deleted, merged, restored, or its activity counted).</summary>
    CustomerChanged = 0,
    /// <summary>Nothing changed but the time: a <c>within</c> condition's window moved past the customer.</summary>
    TimePassed = 1,
}

/// <summary>
/// A customer is now in a segment, or no longer. It says what the customer is, not what it was: applying the same
/// change twice, or one that agrees with what a follower knows, changes nothing.
/// </summary>
[GenerateSerializer, Immutable, Alias("crm.segment-membership-change")]
public sealed record SegmentMembershipChange(
    [property: Id(0)] string CustomerId,
    [property: Id(1)] string SegmentId,
    /// <summary>The segment's version the customer was judged by: a follower that loaded a newer one ignores older judgements.</summary>
    [property: Id(2)] long SegmentVersion,
    [property: Id(3)] bool IsMember,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] SegmentMembershipCause Cause,
    /// <summary>The customer's change number the judgement was made on: of two changes of a customer, the higher one's tells where it stands.</summary>
    [property: Id(6)] long CustomerSequence);

/// <summary>A tenant's membership changes gathered for a moment, in the order they were judged.</summary>
[GenerateSerializer, Immutable, Alias("crm.segment-membership-changes")]
public sealed record SegmentMembershipChanges(
    [property: Id(0)] string TenantId,
    [property: Id(1)] ImmutableArray<SegmentMembershipChange> Changes);

/// <summary>
/// Gathers membership changes on each silo and publishes them on the tenants' membership streams in batches, a few
/// times a second: an import that moves a million customers into a segment is a few hundred messages, not a million.
/// </summary>
[Alias("crm.segment-membership-batcher-grain")]
public interface ISegmentMembershipBatcherGrain : IGrainWithIntegerKey
{
    [Alias("record"), Orleans.Concurrency.OneWay]
    Task RecordAsync(string tenantId, ImmutableArray<SegmentMembershipChange> changes);
}
