using System.Collections.Immutable;
using Crm.Security;

namespace Crm.Analytics;

public enum TrainingStatus
{
    Idle = 0,
    Running = 1,
    Completed = 2,
    Failed = 3,
}

/// <param name="Centroid">Standardized log recency, log frequency and log monetary value, as the model compares customers.</param>
/// <param name="MeanRecencyDays">Means of the cluster's customers, unscaled.</param>
[GenerateSerializer, Immutable, Alias("crm.value-segment-cluster")]
public sealed record ValueSegmentCluster(
    [property: Id(0)] string Name,
    [property: Id(1)] int Size,
    [property: Id(2)] ImmutableArray<float> Centroid,
    [property: Id(3)] double MeanRecencyDays,
    [property: Id(4)] double MeanFrequency,
    [property: Id(5)] decimal MeanMonetary);

/// <summary>How well K clusters fit: silhouette (higher is better), Davies–Bouldin index (lower is better).</summary>
[GenerateSerializer, Immutable, Alias("crm.value-segment-fit")]
public sealed record ValueSegmentFit([property: Id(0)] int K, [property: Id(1)] double Silhouette, [property: Id(2)] double DaviesBouldin);

/// <summary>One trained model of a tenant's value segments: what it was trained on, its scale, its clusters and how each k fit.</summary>
/// <param name="AsOf">The moment recency was counted to.</param>
[GenerateSerializer, Immutable, Alias("crm.value-segments-version")]
public sealed record ValueSegmentsVersion(
    [property: Id(0)] int Version,
    [property: Id(1)] DateTimeOffset TrainedAt,
    [property: Id(2)] Actor TrainedBy,
    [property: Id(3)] DateTimeOffset AsOf,
    [property: Id(4)] int Customers,
    [property: Id(5)] int Orders,
    [property: Id(6)] ImmutableArray<double> ScaleMean,
    [property: Id(7)] ImmutableArray<double> ScaleDeviation,
    [property: Id(8)] ImmutableArray<ValueSegmentCluster> Clusters,
    [property: Id(9)] ImmutableArray<ValueSegmentFit> Tried)
{
    public int K => Clusters.Length;

    public ValueSegmentFit Fit => Tried.Single(t => t.K == K);
}

/// <param name="Progress">From 0 to 1 while running: reading the orders, clustering, then placing every customer who ordered.</param>
/// <param name="Placing">The version whose customers are being placed, once it is trained or put in use.</param>
[GenerateSerializer, Immutable, Alias("crm.value-segments-training")]
public sealed record ValueSegmentsTraining(
    [property: Id(0)] TrainingStatus Status,
    [property: Id(1)] double Progress,
    [property: Id(2)] long OrdersRead,
    [property: Id(3)] DateTimeOffset? StartedAt,
    [property: Id(4)] Actor? StartedBy,
    [property: Id(5)] DateTimeOffset? FinishedAt,
    [property: Id(6)] string? Error,
    [property: Id(7)] int? Placing = null)
{
    public static readonly ValueSegmentsTraining None = new(TrainingStatus.Idle, 0, 0, null, null, null, null);
}

/// <summary>A tenant's value segments: its training, the model versions kept and which one is in use.</summary>
/// <param name="Generation">Counts the changes of the version in use, so that a customer placed by a newer choice is never placed again by an older one.</param>
[GenerateSerializer, Immutable, Alias("crm.value-segments")]
public sealed record ValueSegments(
    [property: Id(0)] string TenantId,
    [property: Id(1)] ValueSegmentsTraining Training,
    [property: Id(2)] int? ActiveVersion,
    [property: Id(3)] ImmutableArray<ValueSegmentsVersion> Versions,
    [property: Id(4)] long Generation = 0)
{
    public ValueSegmentsVersion? Active => Versions.FirstOrDefault(v => v.Version == ActiveVersion);
}

/// <summary>
/// A tenant's value segments (RFM + KMeans): trained in the background from every order on the tenant's timelines,
/// versioned and stored, one version in use. Changes go out on stream <see cref="Constants.ValueSegmentsStreamNamespace"/>.
/// </summary>
[Alias("crm.value-segments-grain")]
public interface IValueSegmentsGrain : IGrainWithStringKey
{
    [Alias("get")]
    Task<ValueSegments> GetAsync();

    /// <summary>Starts training a new version, unless training is under way; the new version is put in use when done.</summary>
    [Alias("train")]
    Task<ValueSegments> TrainAsync(Actor by);

    /// <summary>Puts a kept version in use again (a roll-back, or forward again) and places every customer by it.</summary>
    /// <exception cref="KeyNotFoundException">No such version is kept.</exception>
    /// <exception cref="InvalidOperationException">Training or placing is under way.</exception>
    [Alias("activate")]
    Task<ValueSegments> ActivateAsync(int version, Actor by);

    /// <summary>
    /// Places every customer who ordered again by the version in use, as of now: time moves customers as much as orders
    /// do (a Champion who stops buying drifts towards Lost). A reminder does it daily once a version is in use.
    /// </summary>
    /// <exception cref="InvalidOperationException">No version is in use, or training or placing is under way.</exception>
    [Alias("place-again")]
    Task<ValueSegments> PlaceAgainAsync(Actor by);
}

/// <summary>The value segment a customer is in, by a version of its tenant's model, with the numbers it was judged on.</summary>
[GenerateSerializer, Immutable, Alias("crm.value-segment-assignment")]
public sealed record ValueSegmentAssignment(
    [property: Id(0)] string Name,
    [property: Id(1)] int Version,
    [property: Id(2)] DateTimeOffset AssignedAt,
    [property: Id(3)] double RecencyDays,
    [property: Id(4)] int Frequency,
    [property: Id(5)] decimal Monetary,
    [property: Id(6)] long Generation = 0);
