using Crm.Analytics;

namespace Crm.Tests.Analytics;

public sealed class SilhouetteTests
{
    [Fact]
    public void Is_the_mean_of_each_points_silhouette_worked_by_hand()
    {
        // Point 0: a = 1, b = (10 + 11) / 2, s = 9.5 / 10.5; point 1: a = 1, b = (9 + 10) / 2, s = 8.5 / 9.5; 10 and 11 mirror them.
        float[][] points = [[0], [1], [10], [11]];

        var silhouette = Silhouette.Mean(points, [0, 0, 1, 1], k: 2);

        Assert.Equal((9.5 / 10.5 + 8.5 / 9.5) / 2, silhouette, 1e-6);
    }

    [Fact]
    public void Counts_a_point_alone_in_its_cluster_as_zero_and_a_point_in_the_wrong_cluster_below_zero()
    {
        float[][] points = [[0], [1], [10], [11], [100]];

        Assert.Equal((9.5 / 10.5 + 8.5 / 9.5) / 2 * 4 / 5, Silhouette.Mean(points, [0, 0, 1, 1, 2], k: 3), 1e-6);
        Assert.True(Silhouette.Mean([[0], [1], [10], [11]], [0, 1, 0, 1], k: 2) < 0);
    }

    [Fact]
    public void Samples_large_sets_and_stays_close_to_the_exact_value()
    {
        var random = new Random(3);
        var points = Enumerable.Range(0, 2 * Silhouette.MaxPoints).Select(i => new[] { (float)(i % 2 * 10 + random.NextDouble()) }).ToList();
        var clusters = Enumerable.Range(0, points.Count).Select(i => i % 2).ToList();
        var exact = Silhouette.Mean(points.Take(Silhouette.MaxPoints).ToList(), clusters.Take(Silhouette.MaxPoints).ToList(), k: 2);

        var sampled = Silhouette.Mean(points, clusters, k: 2);

        Assert.Equal(exact, sampled, 0.01);
    }
}
