using Crm.Customers;
using Crm.Storage;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Crm.Segments;

[GenerateSerializer, Alias("crm.segment-clock-state")]
public sealed record SegmentClockState
{
    /// <summary>The moment up to which time's changes are published; null while no segment moves with time.</summary>
    [Id(0)] public DateTimeOffset? FollowedUntil { get; init; }
}

/// <summary>
/// Runs on a reminder while any of the tenant's segments has a <c>within</c> condition: each time, asks the customer
/// list who the rule held for at the last run and not now, or now and not then, and publishes them. Changes that
/// the customers made meanwhile were published by the customers themselves; one published twice says the same
/// thing twice.
/// </summary>
public sealed partial class SegmentClockGrain(
    [PersistentState("segment-clock", Constants.GrainStorage)] IPersistentState<SegmentClockState> state,
    ICustomerDirectory directory,
    TimeProvider time,
    ILogger<SegmentClockGrain> logger) : Grain, ISegmentClockGrain, IRemindable
{
    public static readonly TimeSpan Every = TimeSpan.FromMinutes(5);
    private const string Reminder = "follow-time";
    private const int PageSize = 5_000;

    private string TenantId => this.GetPrimaryKeyString();

    public async Task SegmentsChangedAsync(bool anyMovesWithTime)
    {
        var reminder = await this.GetReminder(Reminder);
        if (anyMovesWithTime)
        {
            if (reminder is null)
            {
                await this.RegisterOrUpdateReminder(Reminder, Every, Every);
            }

            if (state.State.FollowedUntil is null)
            {
                await state.WriteAsync(new SegmentClockState { FollowedUntil = time.GetUtcNow() });
            }

            return;
        }

        if (reminder is not null)
        {
            await this.UnregisterReminder(reminder);
        }

        if (state.State.FollowedUntil is not null)
        {
            await state.WriteAsync(new SegmentClockState());
        }
    }

    public async Task FollowTimeAsync() => await FollowTimeAsync(await MovingSegmentsAsync());

    public async Task ReceiveReminder(string reminderName, Orleans.Runtime.TickStatus status)
    {
        var segments = await MovingSegmentsAsync();
        if (segments.Count == 0)
        {
            // Its segments were changed while the news of it was lost.
            await SegmentsChangedAsync(anyMovesWithTime: false);
            return;
        }

        await FollowTimeAsync(segments);
    }

    private async Task FollowTimeAsync(IReadOnlyList<SavedSegment> segments)
    {
        var now = time.GetUtcNow();
        var from = state.State.FollowedUntil ?? now;
        var stream = this.GetStreamProvider(Constants.StreamProvider)
            .GetStream<SegmentMembershipChanges>(StreamId.Create(Constants.SegmentMembershipStreamNamespace, TenantId));
        try
        {
            await PublishMovedAsync(stream, segments, from, now);
        }
        catch (ArgumentException)
        {
            // A rule this version cannot judge (a newer version saved it): the others are followed one by one.
            foreach (var segment in segments)
            {
                try
                {
                    await PublishMovedAsync(stream, [segment], from, now);
                }
                catch (ArgumentException ex)
                {
                    LogSegmentNotFollowed(ex, TenantId, segment.Id);
                }
            }
        }

        if (segments.Count > 0)
        {
            await state.WriteAsync(new SegmentClockState { FollowedUntil = now });
            LogFollowed(TenantId, segments.Count, from, now);
        }
    }

    /// <summary>
    /// One walk of the tenant's list for all the segments. Who was in a segment before it was last saved is nobody's
    /// concern: its followers loaded it as saved, so each is followed from then at the earliest.
    /// </summary>
    private async Task PublishMovedAsync(IAsyncStream<SegmentMembershipChanges> stream, IReadOnlyList<SavedSegment> segments, DateTimeOffset from, DateTimeOffset now)
    {
        var rules = segments.Select(s => new RuleSince(s.Rule, s.UpdatedAt > from ? s.UpdatedAt : from)).ToList();
        string? after = null;
        do
        {
            var moved = await directory.MovedWithTimeAsync(TenantId, rules, now, after, PageSize);
            if (moved.Count > 0)
            {
                await stream.OnNextAsync(new SegmentMembershipChanges(TenantId, [.. moved.SelectMany(m => m.Moves.Select(move =>
                    new SegmentMembershipChange(m.CustomerId, segments[move.Rule].Id, segments[move.Rule].Version, move.IsMember, now, SegmentMembershipCause.TimePassed, m.Sequence)))]));
            }

            after = moved.Count == PageSize ? moved[^1].CustomerId : null;
        }
        while (after is not null);
    }

    private async Task<IReadOnlyList<SavedSegment>> MovingSegmentsAsync() =>
        [.. (await GrainFactory.GetGrain<ISegmentsGrain>(TenantId).ListAsync()).Where(s => SegmentRules.MovesWithTime(s.Rule))];

    [LoggerMessage(LogLevel.Warning, "Tenant {TenantId}: who time moved in or out of segment {SegmentId} is not known")]
    private partial void LogSegmentNotFollowed(Exception exception, string tenantId, string segmentId);

    [LoggerMessage(LogLevel.Debug, "Tenant {TenantId}: membership of {Segments} segments followed from {From} to {To}")]
    private partial void LogFollowed(string tenantId, int segments, DateTimeOffset from, DateTimeOffset to);
}
