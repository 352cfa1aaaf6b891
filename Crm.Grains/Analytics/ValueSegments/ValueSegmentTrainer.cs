using System.Collections.Immutable;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Crm.Analytics;

/// <summary>
/// KMeans (ML.NET) over customers' scaled R, F and M for each k from 2 to 10, keeping the k with the best silhouette;
/// seeded and single-threaded, so that the same customers give the same model.
/// </summary>
public static class ValueSegmentTrainer
{
    public const int MinK = 2;
    public const int MaxK = 10;

    /// <param name="progress">The share of the k tried so far, from 0 to 1.</param>
    /// <exception cref="InvalidOperationException">Fewer than three customers have bought anything.</exception>
    public static ValueSegmentModel Train(IReadOnlyList<Rfm> customers, IProgress<double>? progress = null, int seed = 1, CancellationToken cancellationToken = default)
    {
        if (customers.Count <= MinK)
        {
            throw new InvalidOperationException($"Value segments need at least {MinK + 1} customers with orders; there are {customers.Count}.");
        }

        var scale = RfmScale.Fit(customers);
        var points = customers.Select(scale.Apply).ToList();
        var ml = new MLContext(seed);
        var data = ml.Data.LoadFromEnumerable(points.Select(p => new Point { Features = p }));
        var maxK = Math.Min(MaxK, customers.Count - 1);
        var tried = new List<(ClusterFit Fit, float[][] Centroids, int[] Clusters)>();
        for (var k = MinK; k <= maxK; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var model = ml.Clustering.Trainers.KMeans(new KMeansTrainer.Options
            {
                FeatureColumnName = nameof(Point.Features),
                NumberOfClusters = k,
                InitializationAlgorithm = KMeansTrainer.InitializationAlgorithm.KMeansPlusPlus,
                NumberOfThreads = 1,
            }).Fit(data);
            VBuffer<float>[] centroids = [];
            model.Model.GetClusterCentroids(ref centroids, out _);
            var scored = model.Transform(data);
            var metrics = ml.Clustering.Evaluate(scored, scoreColumnName: "Score", featureColumnName: nameof(Point.Features));
            // Keys count from 1.
            var clusters = scored.GetColumn<uint>("PredictedLabel").Select(label => (int)label - 1).ToArray();
            var fit = new ClusterFit(k, Silhouette.Mean(points, clusters, k, seed), metrics.DaviesBouldinIndex);
            tried.Add((fit, [.. centroids.Select(c => c.DenseValues().ToArray())], clusters));
            progress?.Report((double)(k - MinK + 1) / (maxK - MinK + 1));
        }

        var best = tried.MaxBy(t => t.Fit.Silhouette);
        var names = ValueSegmentNames.For(best.Centroids);
        var clustered = Enumerable.Range(0, best.Centroids.Length).Select(c =>
        {
            var members = customers.Where((_, i) => best.Clusters[i] == c).ToList();
            return new ValueCluster(names[c], members.Count, best.Centroids[c],
                members.Count == 0 ? 0 : members.Average(m => m.RecencyDays),
                members.Count == 0 ? 0 : members.Average(m => m.Frequency),
                members.Count == 0 ? 0 : members.Average(m => m.Monetary));
        });
        return new ValueSegmentModel(scale, [.. clustered], [.. tried.Select(t => t.Fit)]);
    }

    private sealed class Point
    {
        [VectorType(RfmScale.Dimensions)]
        public float[] Features { get; set; } = [];
    }
}
