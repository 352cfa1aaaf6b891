using Crm.Timeline;
using Microsoft.Extensions.Logging;

namespace Crm.Customers;

/// <summary>
/// A customer's side of its timeline: numbers new interactions after the customer's latest change and appends them
/// (the commit point of an interaction), folds in rows a crashed activation wrote but did not record, and answers
/// reads, from the recent interactions the state keeps where it can.
/// </summary>
internal sealed partial class CustomerTimeline(CustomerKey key, ITimelineStore store, int keepRecent, ILogger logger)
{
    private const int CatchUpBatch = 500;

    /// <summary>Appends the interactions in one transaction, numbered in order after the state's latest change.</summary>
    /// <returns>The state with the new ones recorded, and each interaction as stored (an external id stored before returns that one).</returns>
    public async Task<(CustomerState State, IReadOnlyList<InteractionAppendResult> Results)> AppendAsync(
        CustomerState state, IReadOnlyList<NewInteraction> requests, DateTimeOffset now)
    {
        var sequence = state.Sequence;
        var interactions = requests.Select(request => new Interaction
        {
            Id = Guid.CreateVersion7(),
            CustomerId = key.CustomerId,
            Sequence = ++sequence,
            Channel = request.Channel,
            Direction = request.Direction,
            OccurredAt = StoredTime.Of(request.OccurredAt),
            RecordedAt = now,
            Agent = request.Agent,
            Subject = request.Subject,
            Body = request.Body,
            DurationSeconds = request.DurationSeconds,
            Outcome = request.Outcome,
            ExternalId = request.ExternalId,
            Metadata = request.Metadata,
            RecordedBy = request.RecordedBy,
            EventType = request.EventType,
        }).ToList();
        var results = interactions.Count == 0 ? [] : await store.AppendAsync(key, interactions);
        var next = results.Where(r => r.Created).Aggregate(state, (s, r) => s.Recorded(r.Interaction, keepRecent));
        return (next, results);
    }

    /// <summary>
    /// The state as read from storage, with its recent interactions (not stored) read back from the timeline, and
    /// the interactions whose timeline rows were written but whose state write was lost folded in.
    /// </summary>
    /// <remarks>One query when nothing was lost: the latest rows are the recent interactions and show whether any is missing.</remarks>
    public async Task<CustomerState> CatchUpAsync(CustomerState state, CancellationToken cancellationToken)
    {
        var latest = state.Activity.TotalInteractions > 0 ? await store.ReadLatestAsync(key, keepRecent, cancellationToken) : [];
        var caughtUp = state with { Recent = [.. latest.Where(i => i.Sequence <= state.Sequence)] };
        if (latest.Count == 0 || latest[^1].Sequence > state.Sequence)
        {
            IReadOnlyList<Interaction> missed;
            do
            {
                missed = await store.ReadSinceAsync(key, caughtUp.Sequence, CatchUpBatch, cancellationToken);
                caughtUp = missed.Aggregate(caughtUp, (s, i) => s.Recorded(i, keepRecent));
            }
            while (missed.Count == CatchUpBatch);
        }

        if (caughtUp.Sequence != state.Sequence)
        {
            LogCaughtUp(key, state.Sequence, caughtUp.Sequence);
        }

        return caughtUp;
    }

    /// <summary>Takes over every interaction of a customer merged into this one, numbered after the state's latest change.</summary>
    /// <param name="mergeId">A merge that may be undone, which the store remembers each moved row's origin for.</param>
    public async Task<(CustomerState State, IReadOnlyList<Interaction> Moved)> TakeOverAsync(CustomerState state, string fromCustomerId, Guid? mergeId = null)
    {
        var moved = await store.MoveAsync(new CustomerKey(key.TenantId, fromCustomerId), key, state.Sequence + 1, mergeId);
        return (moved.Aggregate(state, (s, i) => s.Recorded(i, keepRecent)), moved);
    }

    /// <summary>An undone merge: the interactions it moved here from a customer go back to it.</summary>
    public Task<IReadOnlyList<Interaction>> GiveBackAsync(Guid mergeId, string customerId) => store.MoveBackAsync(key, mergeId, customerId);

    /// <summary>The state with its counters and recent interactions counted again from the whole timeline, after rows left it.</summary>
    public async Task<CustomerState> RecountAsync(CustomerState state)
    {
        var counted = state with { Activity = CustomerActivity.New, Engagement = Engagement.None, Recent = [] };
        IReadOnlyList<Interaction> page;
        var after = 0L;
        do
        {
            page = await store.ReadSinceAsync(key, after, CatchUpBatch);
            counted = page.Aggregate(counted, (s, i) => s.Recorded(i, keepRecent));
            after = page.Count > 0 ? page[^1].Sequence : after;
        }
        while (page.Count == CatchUpBatch);

        return counted with { Sequence = state.Sequence };
    }

    public async Task<Interaction?> FindAsync(CustomerState state, Guid interactionId) =>
        state.Recent.FirstOrDefault(i => i.Id == interactionId) ?? await store.FindAsync(key, interactionId);

    public Task<TimelinePage> ReadAsync(TimelineQuery query) => store.ReadAsync(key, query);

    /// <summary>The interactions after a change number, from the state's recent ones when they reach back that far.</summary>
    public async Task<IEnumerable<Interaction>> SinceAsync(CustomerState state, long afterSequence, int limit) =>
        state.TryGetRecentSince(afterSequence, out var recent)
            ? recent.Take(limit)
            : await store.ReadSinceAsync(key, afterSequence, limit);

    [LoggerMessage(LogLevel.Warning, "Customer {CustomerKey}: caught up from sequence {From} to {To} with the timeline")]
    private partial void LogCaughtUp(CustomerKey customerKey, long from, long to);
}
