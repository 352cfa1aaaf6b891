using System.Collections.Immutable;

namespace Crm.Analytics;

/// <summary>Customers grouped by what they buy: the scale, the named clusters, and how well each number of clusters tried fit.</summary>
public sealed record ValueSegmentModel(RfmScale Scale, ImmutableArray<ValueCluster> Clusters, ImmutableArray<ClusterFit> Tried)
{
    public int K => Clusters.Length;

    public ClusterFit Fit => Tried.Single(t => t.K == K);

    /// <summary>The cluster whose centroid is nearest, as KMeans assigns it.</summary>
    public ValueCluster Assign(Rfm customer)
    {
        var point = Scale.Apply(customer);
        return Clusters.MinBy(c => SquaredDistance(point, c.Centroid))!;
    }

    private static double SquaredDistance(float[] x, float[] y)
    {
        var sum = 0.0;
        for (var d = 0; d < x.Length; d++)
        {
            sum += ((double)x[d] - y[d]) * ((double)x[d] - y[d]);
        }

        return sum;
    }
}

/// <param name="Centroid">Standardized as <see cref="RfmScale"/> does.</param>
/// <param name="MeanRecencyDays">The means of the cluster's customers, unscaled.</param>
public sealed record ValueCluster(string Name, int Size, float[] Centroid, double MeanRecencyDays, double MeanFrequency, decimal MeanMonetary);

/// <summary>How well <paramref name="K"/> clusters fit: silhouette (higher is better), Davies–Bouldin index (lower is better).</summary>
public sealed record ClusterFit(int K, double Silhouette, double DaviesBouldin);
