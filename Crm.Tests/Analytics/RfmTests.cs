using Crm.Analytics;

namespace Crm.Tests.Analytics;

public sealed class RfmTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 6, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Counts_orders_not_cancellations_which_take_their_value_back()
    {
        CustomerOrder[] orders =
        [
            new("c1", AsOf.AddDays(-10), 100m),
            new("c2", AsOf.AddDays(-40), 20m),
            new("c1", AsOf.AddDays(-3), 50m),
            new("c1", AsOf.AddDays(-2), -30m),
            new("c3", AsOf.AddDays(-5), -15m),
            new("c4", AsOf.AddDays(-7.5), 10m),
            new("c4", AsOf.AddDays(-1), -25m),
        ];

        var rfm = Rfm.Of(orders, AsOf);

        Assert.Equal(
            [new Rfm("c1", 3, 2, 120m), new Rfm("c2", 40, 1, 20m), new Rfm("c4", 7.5, 1, 0m)],
            rfm);
    }

    [Fact]
    public void Scales_the_logs_to_mean_zero_and_deviation_one()
    {
        Rfm[] customers = [new("a", 0, 1, 0m), new("b", Math.E - 1, 1, (decimal)(Math.E * Math.E - 1))];

        var scale = RfmScale.Fit(customers);

        // Logs 0 and 1 (recency), 0.69 and 0.69 (frequency: alike, left unscaled), 0 and 2 (monetary).
        Assert.Equal([-1f, 0f, -1f], scale.Apply(customers[0]), new FloatsWithin(1e-5f));
        Assert.Equal([1f, 0f, 1f], scale.Apply(customers[1]), new FloatsWithin(1e-5f));
    }

    private sealed class FloatsWithin(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
