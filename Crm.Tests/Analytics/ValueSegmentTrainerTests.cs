using Crm.Analytics;

namespace Crm.Tests.Analytics;

[Collection(ModelTrainingCollection.Name)]
public sealed class ValueSegmentTrainerTests
{
    /// <summary>Three kinds of customer far apart: recent big regulars, recent first-timers, long-gone occasional buyers.</summary>
    private static List<(string Kind, Rfm Customer)> ThreeKinds()
    {
        var random = new Random(11);
        var customers = new List<(string, Rfm)>();
        for (var i = 0; i < 60; i++)
        {
            customers.Add(("regular", new Rfm($"r{i}", random.Next(1, 6), random.Next(20, 31), random.Next(5_000, 8_000))));
            customers.Add(("new", new Rfm($"n{i}", random.Next(1, 6), 1, random.Next(20, 50))));
            customers.Add(("gone", new Rfm($"g{i}", random.Next(300, 361), random.Next(1, 3), random.Next(10, 30))));
        }

        return customers;
    }

    [Fact]
    public void Finds_well_separated_kinds_of_customer_and_names_them_as_their_numbers_say()
    {
        var customers = ThreeKinds();

        var model = ValueSegmentTrainer.Train([.. customers.Select(c => c.Customer)]);

        Assert.Equal(3, model.K);
        Assert.True(model.Fit.Silhouette > 0.7, $"silhouette {model.Fit.Silhouette}");
        Assert.True(model.Fit.DaviesBouldin < 0.5, $"Davies–Bouldin {model.Fit.DaviesBouldin}");
        Assert.Equal(Enumerable.Range(ValueSegmentTrainer.MinK, ValueSegmentTrainer.MaxK - 1), model.Tried.Select(t => t.K));
        var nameOf = customers.GroupBy(c => c.Kind).ToDictionary(g => g.Key, g => Assert.Single(g.Select(c => model.Assign(c.Customer).Name).Distinct()));
        Assert.Equal(("Champions", "New customers", "Lost"), (nameOf["regular"], nameOf["new"], nameOf["gone"]));
        var champions = model.Clusters.Single(c => c.Name == "Champions");
        var lost = model.Clusters.Single(c => c.Name == "Lost");
        Assert.True(champions.MeanRecencyDays < lost.MeanRecencyDays);
        Assert.True(champions.MeanFrequency > lost.MeanFrequency);
        Assert.True(champions.MeanMonetary > lost.MeanMonetary);
        Assert.Equal([60, 60, 60], model.Clusters.Select(c => c.Size));
    }

    [Fact]
    public void Gives_the_same_model_for_the_same_customers_and_reports_progress_to_the_end()
    {
        var customers = ThreeKinds().Select(c => c.Customer).ToList();
        var reported = new Reported();

        var first = ValueSegmentTrainer.Train(customers, reported);
        var second = ValueSegmentTrainer.Train(customers);

        Assert.Equal(first.Clusters.Select(c => (c.Name, c.Size)), second.Clusters.Select(c => (c.Name, c.Size)));
        Assert.Equal<ClusterFit>(first.Tried, second.Tried);
        Assert.Equal(customers.Select(c => first.Assign(c).Name), customers.Select(c => second.Assign(c).Name));
        Assert.Equal(ValueSegmentTrainer.MaxK - 1, reported.Values.Count);
        Assert.Equal(reported.Values.Order(), reported.Values);
        Assert.Equal(1.0, reported.Values[^1]);
    }

    [Fact]
    public void Names_clusters_in_the_same_corner_each_differently_the_most_pronounced_first()
    {
        float[][] centroids = [[-0.5f, 0.5f, 0.5f], [-2f, 2f, 2f], [2f, -2f, -2f], [1f, -1f, -1.2f], [0.5f, -0.1f, -0.3f]];

        var names = ValueSegmentNames.For(centroids);

        Assert.Equal(["Loyal", "Champions", "Lost", "Hibernating", "Lapsed, occasional, low spend"], names);
    }

    [Fact]
    public void Refuses_too_few_customers_to_cluster()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ValueSegmentTrainer.Train([new Rfm("a", 1, 1, 1m), new Rfm("b", 2, 2, 2m)]));
        Assert.Contains("at least 3", error.Message);
    }

    /// <summary>Kept as reported, on the caller's thread (<see cref="Progress{T}"/> would post each elsewhere).</summary>
    private sealed class Reported : IProgress<double>
    {
        public List<double> Values { get; } = [];

        public void Report(double value) => Values.Add(value);
    }
}
