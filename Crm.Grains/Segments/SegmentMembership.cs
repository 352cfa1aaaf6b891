using Crm.Customers;

namespace Crm.Segments;

/// <summary>Which segments a customer entered or left in a change: its row before and after, judged by the same rules at the same moment.</summary>
public static class SegmentMembership
{
    /// <param name="before">The row before the change, or null when the customer did not exist (in no segment).</param>
    public static IEnumerable<SegmentMembershipChange> Changes(IReadOnlyList<SavedSegment> segments, CustomerSummary? before, CustomerSummary after, DateTimeOffset now)
    {
        foreach (var segment in segments)
        {
            bool isMember, wasMember;
            try
            {
                (isMember, wasMember) = (IsMember(segment.Rule, after, now), IsMember(segment.Rule, before, now));
            }
            catch (ArgumentException)
            {
                // A rule this version cannot judge (a newer version saved it): the others are judged all the same.
                continue;
            }

            if (isMember != wasMember)
            {
                yield return new SegmentMembershipChange(after.Key.CustomerId, segment.Id, segment.Version, isMember, now, SegmentMembershipCause.CustomerChanged, after.Sequence);
            }
        }
    }

    /// <summary>A deleted or merged-away customer is in no segment.</summary>
    public static bool IsMember(SegmentRule rule, CustomerSummary? row, DateTimeOffset now) =>
        row is { Deleted: false } && SegmentMatch.Matches(rule, row, now);
}

/// <summary>A rule, and the moment from which time's effect on who it holds for is followed.</summary>
public readonly record struct RuleSince(SegmentRule Rule, DateTimeOffset Since);

/// <summary>A customer time moved into or out of some rules: each by its place in the list asked, with whether the rule now holds for it.</summary>
public sealed record MovedByTime(string CustomerId, long Sequence, IReadOnlyList<(int Rule, bool IsMember)> Moves);
