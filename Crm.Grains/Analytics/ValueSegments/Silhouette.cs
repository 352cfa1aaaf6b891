namespace Crm.Analytics;

/// <summary>
/// How well each point sits in its cluster against the nearest other one (Rousseeuw, 1987): s = (b − a) / max(a, b),
/// where a is its mean distance to the rest of its cluster and b the least mean distance to another cluster; a point
/// alone in its cluster counts 0. From −1 (in the wrong cluster) through 0 (between two) to 1 (well apart). ML.NET has
/// no silhouette metric.
/// </summary>
public static class Silhouette
{
    /// <summary>Points compared each with every other: beyond this many, a random sample of them is (as scikit-learn's sample_size does).</summary>
    public const int MaxPoints = 4_000;

    public static double Mean(IReadOnlyList<float[]> points, IReadOnlyList<int> clusters, int k, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(clusters.Count, points.Count);
        var sample = Enumerable.Range(0, points.Count).ToArray();
        if (sample.Length > MaxPoints)
        {
            new Random(seed).Shuffle(sample);
            sample = sample[..MaxPoints];
        }

        var sizes = new int[k];
        foreach (var i in sample)
        {
            sizes[clusters[i]]++;
        }

        var total = 0.0;
        var distances = new double[k];
        foreach (var i in sample)
        {
            Array.Clear(distances);
            foreach (var j in sample)
            {
                distances[clusters[j]] += Distance(points[i], points[j]);
            }

            var own = clusters[i];
            if (sizes[own] <= 1)
            {
                continue;
            }

            var a = distances[own] / (sizes[own] - 1);
            var b = Enumerable.Range(0, k).Where(c => c != own && sizes[c] > 0).Select(c => distances[c] / sizes[c]).DefaultIfEmpty(a).Min();
            var largest = Math.Max(a, b);
            total += largest > 0 ? (b - a) / largest : 0;
        }

        return total / sample.Length;
    }

    private static double Distance(float[] x, float[] y)
    {
        var sum = 0.0;
        for (var d = 0; d < x.Length; d++)
        {
            var difference = (double)x[d] - y[d];
            sum += difference * difference;
        }

        return Math.Sqrt(sum);
    }
}
