using Crm.Analytics;
using Crm.Timeline;

namespace Crm.Customers;

/// <summary>Where the tenant's analysis places the customer: its value segment, judged by its order totals.</summary>
public sealed partial class CustomerGrain
{
    public async Task<ValueSegmentAssignment?> AssignValueSegmentAsync(ValueSegmentsVersion model)
    {
        if (!Exists || State.MergedInto is not null)
        {
            return null;
        }

        var counted = await WithOrderTotalsAsync(State);
        var assignment = model.Assign(_key.CustomerId, counted.Activity.Orders, Now());
        if (counted != State || assignment?.Name != State.ValueSegment?.Name || assignment?.Version != State.ValueSegment?.Version)
        {
            await PersistAsync(counted with { ValueSegment = assignment });
        }

        return assignment;
    }

    /// <summary>The state placed again when <paramref name="appended"/> holds an order and the tenant has value segments.</summary>
    private async Task<CustomerState> PlacedAfterOrdersAsync(CustomerState next, IEnumerable<Interaction> appended)
    {
        if (!appended.Any(i => i.Channel == InteractionChannel.Order) || await _valueSegments.GetAsync(_key.TenantId) is not { } model)
        {
            return next;
        }

        var counted = await WithOrderTotalsAsync(next);
        return counted with { ValueSegment = model.Assign(_key.CustomerId, counted.Activity.Orders, Now()) };
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
        return state with { Activity = state.Activity with { Orders = recounted.Activity.Orders with { Complete = true } } };
    }
}
