using Crm.Analytics;
using Crm.Timeline;
using Microsoft.Extensions.Logging;

namespace Crm.Customers;

/// <summary>Where the tenant's analysis places the customer: its value segment, judged by its order totals.</summary>
public sealed partial class CustomerGrain
{
    public async Task<ValueSegmentAssignment?> AssignValueSegmentAsync(ValueSegmentsVersion model, long generation)
    {
        if (!Exists || State.MergedInto is not null)
        {
            return null;
        }

        if (State.ValueSegment is { } placed && placed.Generation > generation)
        {
            return placed;
        }

        var counted = await WithOrderTotalsAsync(State);
        var assignment = model.Assign(generation, _key.CustomerId, counted.Activity.Orders, Now());
        if ((assignment?.Name, assignment?.Version, assignment?.Generation) != (State.ValueSegment?.Name, State.ValueSegment?.Version, State.ValueSegment?.Generation))
        {
            // A change of its own, as watchers, the list and segment rules see it; the profile's version stays.
            var sequence = State.Sequence + 1;
            await CommitProfileAsync(counted with { ValueSegment = assignment, Sequence = sequence, ProfileSequence = sequence });
        }
        else
        {
            // The same segment, judged afresh: its numbers as of now, no change anyone else sees.
            await PersistAsync(counted with { ValueSegment = assignment });
        }

        if (!_publisher.IsWatched)
        {
            // The pass places every customer who ordered: a million of them must not stay in memory.
            DeactivateOnIdle();
        }

        return assignment;
    }

    /// <summary>
    /// The state placed again when <paramref name="appended"/> holds an order and the tenant has value segments; as
    /// it was when placing fails, which the next order or pass makes good.
    /// </summary>
    /// <param name="announce">
    /// Whether a move to another segment takes a change number of its own, for <see cref="PublishPlacedAsync"/> to tell
    /// watchers after the interactions; without, the move is in the state and the list, and watchers see it at the
    /// customer's next change.
    /// </param>
    private async Task<CustomerState> PlacedAfterOrdersAsync(CustomerState next, IEnumerable<Interaction> appended, bool announce)
    {
        if (!appended.Any(i => i.Channel == InteractionChannel.Order))
        {
            return next;
        }

        try
        {
            var (model, generation) = await _valueSegments.GetAsync(_key.TenantId);
            if (model is null)
            {
                return next;
            }

            if (next.ValueSegment is { } placed && placed.Generation > generation)
            {
                // This silo's model is older than the one that placed the customer.
                _valueSegments.Forget(_key.TenantId);
                return next;
            }

            var counted = await WithOrderTotalsAsync(next);
            var assignment = model.Assign(generation, _key.CustomerId, counted.Activity.Orders, Now());
            return assignment?.Name == next.ValueSegment?.Name || !announce
                ? counted with { ValueSegment = assignment }
                // Into another segment: a change of its own after the order's, so that watchers hear of it (PublishPlacedAsync).
                : counted with { ValueSegment = assignment, Sequence = counted.Sequence + 1, ProfileSequence = counted.Sequence + 1 };
        }
        catch (Exception ex)
        {
            LogPlacingFailed(ex, _key);
            return next;
        }
    }

    /// <summary>Tells watchers the customer moved to another value segment, once the interactions that moved it went out.</summary>
    private async Task PublishPlacedAsync(long before)
    {
        if (State.ProfileSequence > before)
        {
            await _publisher.PublishAsync(new CustomerChanged(Snapshot() with { Sequence = State.ProfileSequence }));
        }
    }

    /// <summary>
    /// The state with its order totals counted from the whole timeline, once: a customer from before they were kept
    /// has only the orders since, and a recount of everything else it holds changes nothing.
    /// </summary>
    private async Task<CustomerState> WithOrderTotalsAsync(CustomerState state)
    {
        if (state.Activity.Orders.Complete)
        {
            return state;
        }

        var recounted = await _timeline.RecountAsync(state);
        return state with { Activity = state.Activity with { Orders = recounted.Activity.Orders } };
    }

    [LoggerMessage(LogLevel.Warning, "Customer {CustomerKey}: placing it in its value segment after an order failed; the next order or pass does")]
    private partial void LogPlacingFailed(Exception exception, CustomerKey customerKey);
}
