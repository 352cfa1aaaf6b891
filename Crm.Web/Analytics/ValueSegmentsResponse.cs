using Crm.Analytics;

namespace Crm.Web.Analytics;

/// <summary>A tenant's value segments as the API and the hub show them: the model in use, the training, the versions kept.</summary>
public sealed record ValueSegmentsResponse(TrainingResponse Training, ValueSegmentsModelResponse? Active, IReadOnlyList<VersionResponse> Versions)
{
    public static ValueSegmentsResponse From(ValueSegments segments) => new(
        TrainingResponse.From(segments.Training),
        segments.Active is { } active ? ValueSegmentsModelResponse.From(active) : null,
        [.. segments.Versions.Select(v => new VersionResponse(v.Version, v.TrainedAt, v.TrainedBy.Name, v.K, v.Fit.Silhouette, v.Version == segments.ActiveVersion))]);
}

public sealed record TrainingResponse(string Status, double Progress, long OrdersRead, DateTimeOffset? StartedAt, string? StartedBy, DateTimeOffset? FinishedAt, string? Error)
{
    public static TrainingResponse From(ValueSegmentsTraining t) => new(
        t.Status switch { TrainingStatus.Running => "running", TrainingStatus.Completed => "completed", TrainingStatus.Failed => "failed", _ => "neverRun" },
        t.Progress, t.OrdersRead, t.StartedAt, t.StartedBy?.Name, t.FinishedAt, t.Error);
}

/// <param name="Clusters">Largest first.</param>
public sealed record ValueSegmentsModelResponse(
    int Version, int K, double Silhouette, double DaviesBouldin, DateTimeOffset AsOf, int Customers, int Orders,
    IReadOnlyList<ClusterResponse> Clusters, IReadOnlyList<FitResponse> Tried)
{
    public static ValueSegmentsModelResponse From(ValueSegmentsVersion v) => new(
        v.Version, v.K, v.Fit.Silhouette, v.Fit.DaviesBouldin, v.AsOf, v.Customers, v.Orders,
        [.. v.Clusters.OrderByDescending(c => c.Size).Select(c => new ClusterResponse(c.Name, c.Size,
            new CentroidResponse(c.MeanRecencyDays, c.MeanFrequency, c.MeanMonetary), [.. c.Centroid]))],
        [.. v.Tried.Select(t => new FitResponse(t.K, t.Silhouette, t.DaviesBouldin))]);
}

/// <param name="Centroid">The cluster's customers on average: days since their last order, orders, value.</param>
/// <param name="Standardized">The centroid as the model compares customers: standardized log recency, frequency and monetary value.</param>
public sealed record ClusterResponse(string Name, int Size, CentroidResponse Centroid, IReadOnlyList<float> Standardized);

public sealed record CentroidResponse(double RecencyDays, double Frequency, decimal Monetary);

public sealed record FitResponse(int K, double Silhouette, double DaviesBouldin);

public sealed record VersionResponse(int Version, DateTimeOffset TrainedAt, string TrainedBy, int K, double Silhouette, bool Active);
