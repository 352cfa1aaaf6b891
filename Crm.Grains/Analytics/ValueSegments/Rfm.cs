namespace Crm.Analytics;

/// <summary>How recently, how often and for how much a customer bought, as of a moment.</summary>
/// <param name="RecencyDays">Days from the last order to the moment.</param>
/// <param name="Frequency">Orders placed; a cancellation is not one.</param>
/// <param name="Monetary">What the orders were worth less what was cancelled, never below nothing.</param>
public sealed record Rfm(string CustomerId, double RecencyDays, int Frequency, decimal Monetary)
{
    /// <summary>Each customer with at least one order, in the order they first appear; one with only cancellations bought nothing.</summary>
    public static IReadOnlyList<Rfm> Of(IEnumerable<CustomerOrder> orders, DateTimeOffset asOf)
    {
        var customers = new Dictionary<string, (DateTimeOffset LastOrder, int Orders, decimal Value)>(StringComparer.Ordinal);
        var firstSeen = new List<string>();
        foreach (var order in orders)
        {
            if (!customers.TryGetValue(order.CustomerId, out var seen))
            {
                firstSeen.Add(order.CustomerId);
                seen = (DateTimeOffset.MinValue, 0, 0m);
            }

            customers[order.CustomerId] = order.IsCancellation
                ? seen with { Value = seen.Value + order.Value }
                : (order.At > seen.LastOrder ? order.At : seen.LastOrder, seen.Orders + 1, seen.Value + order.Value);
        }

        return [.. firstSeen.Select(id => (Id: id, Seen: customers[id])).Where(c => c.Seen.Orders > 0)
            .Select(c => new Rfm(c.Id, Math.Max(0, (asOf - c.Seen.LastOrder).TotalDays), c.Seen.Orders, Math.Max(0, c.Seen.Value)))];
    }
}
