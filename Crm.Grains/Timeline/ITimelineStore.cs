using Crm.Customers;

namespace Crm.Timeline;

/// <summary>
/// Every customer's full, append-only timeline. The customer grain is its only writer; the cost of an append
/// does not grow with the timeline's length.
/// </summary>
public interface ITimelineStore
{
    /// <summary>
    /// Stores a customer's new interactions in one transaction, except those whose external id the tenant already
    /// has: for those nothing is written and the stored one is returned with <c>Created = false</c>.
    /// </summary>
    /// <returns>One result per interaction, in order.</returns>
    Task<IReadOnlyList<InteractionAppendResult>> AppendAsync(CustomerKey customer, IReadOnlyList<Interaction> interactions, CancellationToken cancellationToken = default);

    /// <summary>Newest first by when it happened (then by sequence), after the cursor, optionally one channel only.</summary>
    Task<TimelinePage> ReadAsync(CustomerKey customer, TimelineQuery query, CancellationToken cancellationToken = default);

    /// <summary>Interactions recorded after a sequence number, oldest first.</summary>
    Task<IReadOnlyList<Interaction>> ReadSinceAsync(CustomerKey customer, long afterSequence, int limit, CancellationToken cancellationToken = default);

    /// <summary>The latest interactions by sequence number, at most <paramref name="limit"/>, oldest first.</summary>
    Task<IReadOnlyList<Interaction>> ReadLatestAsync(CustomerKey customer, int limit, CancellationToken cancellationToken = default);

    Task<Interaction?> FindAsync(CustomerKey customer, Guid interactionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// A tenant's interactions on one channel across all its customers, by customer id then sequence, after a
    /// position in that order (null for the start): how analysis reads, say, every order, a page at a time.
    /// </summary>
    Task<IReadOnlyList<Interaction>> ReadChannelAsync(string tenantId, InteractionChannel channel, TimelinePosition? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves every interaction of one customer to another (when one is merged into the other), numbered from
    /// <paramref name="firstSequence"/> in their original order, in one transaction.
    /// </summary>
    /// <param name="mergeId">A merge that may be undone: where each row came from is kept, for <see cref="MoveBackAsync"/>.</param>
    /// <returns>The moved interactions as they are now, oldest sequence first.</returns>
    Task<IReadOnlyList<Interaction>> MoveAsync(CustomerKey from, CustomerKey to, long firstSequence, Guid? mergeId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Undoes what a merge moved from one customer to <paramref name="survivor"/>: the rows still there go back to that
    /// customer with the numbers they had, in one transaction. Rows added to the survivor since stay with it.
    /// </summary>
    /// <returns>The interactions moved back, as they are now, oldest sequence first.</returns>
    Task<IReadOnlyList<Interaction>> MoveBackAsync(CustomerKey survivor, Guid mergeId, string customerId, CancellationToken cancellationToken = default);
}

/// <summary>A place in the order of <see cref="ITimelineStore.ReadChannelAsync"/>: customer id, then sequence.</summary>
public readonly record struct TimelinePosition(string CustomerId, long Sequence)
{
    public static TimelinePosition Of(Interaction interaction) => new(interaction.CustomerId, interaction.Sequence);
}
