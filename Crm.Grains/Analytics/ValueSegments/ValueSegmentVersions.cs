using Crm.Customers;
using Crm.Security;

namespace Crm.Analytics;

/// <summary>A trained model as its tenant keeps it (<see cref="ValueSegmentsVersion"/>), and back, to place customers with.</summary>
public static class ValueSegmentVersions
{
    public static ValueSegmentsVersion Of(ValueSegmentModel model, int version, Actor by, DateTimeOffset asOf, int customers, int orders) => new(
        version,
        asOf,
        by,
        asOf,
        customers,
        orders,
        [.. model.Scale.Mean],
        [.. model.Scale.Deviation],
        [.. model.Clusters.Select(c => new ValueSegmentCluster(c.Name, c.Size, [.. c.Centroid], c.MeanRecencyDays, c.MeanFrequency, c.MeanMonetary))],
        [.. model.Tried.Select(t => new ValueSegmentFit(t.K, t.Silhouette, t.DaviesBouldin))]);

    public static ValueSegmentModel Model(this ValueSegmentsVersion version) => new(
        new RfmScale([.. version.ScaleMean], [.. version.ScaleDeviation]),
        [.. version.Clusters.Select(c => new ValueCluster(c.Name, c.Size, [.. c.Centroid], c.MeanRecencyDays, c.MeanFrequency, c.MeanMonetary))],
        [.. version.Tried.Select(t => new ClusterFit(t.K, t.Silhouette, t.DaviesBouldin))]);

    /// <summary>The segment a customer's order totals place it in as of <paramref name="now"/>; none when it has not ordered.</summary>
    public static ValueSegmentAssignment? Assign(this ValueSegmentsVersion version, long generation, string customerId, OrderTotals orders, DateTimeOffset now)
    {
        if (orders is not { Count: > 0, LastOrderAt: { } last })
        {
            return null;
        }

        var rfm = new Rfm(customerId, Math.Max(0, (now - last).TotalDays), orders.Count, Math.Max(0, orders.Value));
        return new ValueSegmentAssignment(version.Model().Assign(rfm).Name, version.Version, now, rfm.RecencyDays, rfm.Frequency, rfm.Monetary, generation);
    }
}
