namespace Crm.Analytics;

/// <summary>
/// R, F and M as the clustering compares them: log-scaled, since a few customers buy hundreds of times more than most
/// and would otherwise be clusters of their own, then standardized, so that none of the three outweighs the others.
/// </summary>
public sealed record RfmScale(double[] Mean, double[] Deviation)
{
    public const int Dimensions = 3;

    public static RfmScale Fit(IReadOnlyList<Rfm> customers)
    {
        ArgumentOutOfRangeException.ThrowIfZero(customers.Count);
        var logged = customers.Select(Logged).ToList();
        var mean = new double[Dimensions];
        var deviation = new double[Dimensions];
        for (var d = 0; d < Dimensions; d++)
        {
            mean[d] = logged.Average(l => l[d]);
            var variance = logged.Average(l => (l[d] - mean[d]) * (l[d] - mean[d]));
            // Every customer alike in one of the three: it tells them apart in nothing, and is left unscaled.
            deviation[d] = variance > 1e-12 ? Math.Sqrt(variance) : 1;
        }

        return new RfmScale(mean, deviation);
    }

    public float[] Apply(Rfm customer)
    {
        var logged = Logged(customer);
        return [.. Enumerable.Range(0, Dimensions).Select(d => (float)((logged[d] - Mean[d]) / Deviation[d]))];
    }

    private static double[] Logged(Rfm customer) =>
        [Math.Log(1 + customer.RecencyDays), Math.Log(1 + customer.Frequency), Math.Log(1 + (double)customer.Monetary)];
}
