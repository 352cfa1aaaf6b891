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
        var builder = new RfmBuilder();
        foreach (var order in orders)
        {
            builder.Add(order);
        }

        return builder.Build(asOf);
    }
}

/// <summary>R, F and M gathered an order at a time, in memory for each customer rather than each order.</summary>
public sealed class RfmBuilder
{
    private readonly Dictionary<string, (DateTimeOffset LastOrder, int Orders, decimal Value)> _customers = new(StringComparer.Ordinal);
    private readonly List<string> _firstSeen = [];

    public long Orders { get; private set; }

    public void Add(CustomerOrder order)
    {
        Orders++;
        if (!_customers.TryGetValue(order.CustomerId, out var seen))
        {
            _firstSeen.Add(order.CustomerId);
            seen = (DateTimeOffset.MinValue, 0, 0m);
        }

        _customers[order.CustomerId] = order.IsCancellation
            ? seen with { Value = seen.Value + order.Value }
            : (order.At > seen.LastOrder ? order.At : seen.LastOrder, seen.Orders + 1, seen.Value + order.Value);
    }

    public IReadOnlyList<Rfm> Build(DateTimeOffset asOf) =>
        [.. _firstSeen.Select(id => (Id: id, Seen: _customers[id])).Where(c => c.Seen.Orders > 0)
            .Select(c => new Rfm(c.Id, Math.Max(0, (asOf - c.Seen.LastOrder).TotalDays), c.Seen.Orders, Math.Max(0, c.Seen.Value)))];
}
