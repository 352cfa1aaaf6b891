using System.Collections.Immutable;
using Crm.Security;
using Crm.Storage;
using Crm.Timeline;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Crm.Analytics;

/// <summary>
/// A tenant's value segments. Training reads every order on the tenant's timelines a page at a time (keeping R, F and M
/// per customer, not the orders), then clusters on the thread pool, so the grain still answers while it trains; its
/// progress goes out on the tenant's stream at most every <see cref="PublishEvery"/>. Training under way when the
/// grain stops starts again when it next activates. The last <see cref="VersionsKept"/> versions are kept.
/// </summary>
public sealed partial class ValueSegmentsGrain(
    [PersistentState("value-segments", Constants.GrainStorage)] IPersistentState<ValueSegmentsState> state,
    ITimelineStore timelines,
    TimeProvider time,
    ILogger<ValueSegmentsGrain> logger) : Grain, IValueSegmentsGrain
{
    public const int VersionsKept = 10;
    private const int OrdersPerPage = 5_000;
    private static readonly TimeSpan PublishEvery = TimeSpan.FromMilliseconds(250);

    private IAsyncStream<ValueSegments>? _stream;
    private Task? _training;
    private double _progress;
    private long _ordersRead;
    private DateTimeOffset _publishedAt;

    private string TenantId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Training is { Status: TrainingStatus.Running, StartedBy: { } by })
        {
            _training = TrainInBackgroundAsync(by);
        }

        return Task.CompletedTask;
    }

    public Task<ValueSegments> GetAsync() => Task.FromResult(Current());

    public async Task<ValueSegments> TrainAsync(Actor by)
    {
        if (_training is { IsCompleted: false })
        {
            return Current();
        }

        (_progress, _ordersRead) = (0, 0);
        await state.WriteAsync(state.State with { Training = new ValueSegmentsTraining(TrainingStatus.Running, 0, 0, time.GetUtcNow(), by, null, null) });
        _training = TrainInBackgroundAsync(by);
        await PublishAsync(force: true);
        return Current();
    }

    public async Task<ValueSegments> ActivateAsync(int version)
    {
        if (!state.State.Versions.Any(v => v.Version == version))
        {
            throw new KeyNotFoundException($"Value segments version {version} is not kept: the kept versions are {string.Join(", ", state.State.Versions.Select(v => v.Version))}.");
        }

        await state.WriteAsync(state.State with { ActiveVersion = version });
        await PublishAsync(force: true);
        return Current();
    }

    private async Task TrainInBackgroundAsync(Actor by)
    {
        // Started from a call or the activation, run on as the grain's own work: the call that started it has returned.
        await Task.Yield();
        using var ticker = this.RegisterGrainTimer(_ => PublishAsync(force: false), new GrainTimerCreationOptions(PublishEvery, PublishEvery) { KeepAlive = true });
        try
        {
            var builder = new RfmBuilder();
            TimelinePosition? after = null;
            while (true)
            {
                var page = await timelines.ReadChannelAsync(TenantId, InteractionChannel.Order, after, OrdersPerPage);
                foreach (var order in page.Select(CustomerOrder.Of).OfType<CustomerOrder>())
                {
                    builder.Add(order);
                }

                _ordersRead = builder.Orders;
                if (page.Count < OrdersPerPage)
                {
                    break;
                }

                after = TimelinePosition.Of(page[^1]);
            }

            var asOf = time.GetUtcNow();
            var customers = builder.Build(asOf);
            _progress = 0.1;
            var progress = new TrainingProgress(share => Volatile.Write(ref _progress, 0.1 + 0.9 * share));
            var model = await Task.Run(() => ValueSegmentTrainer.Train(customers, progress));
            var version = (state.State.Versions.IsEmpty ? 0 : state.State.Versions.Max(v => v.Version)) + 1;
            var trained = Version(version, by, asOf, customers.Count, (int)Math.Min(int.MaxValue, builder.Orders), model);
            await state.WriteAsync(state.State with
            {
                Training = state.State.Training with { Status = TrainingStatus.Completed, Progress = 1, OrdersRead = builder.Orders, FinishedAt = time.GetUtcNow(), Error = null },
                ActiveVersion = version,
                Versions = [.. state.State.Versions.Append(trained).OrderByDescending(v => v.Version).Take(VersionsKept)],
            });
            LogTrained(TenantId, version, model.K, model.Fit.Silhouette, customers.Count);
        }
        catch (Exception ex)
        {
            LogTrainingFailed(ex, TenantId);
            var reason = ex is InvalidOperationException ? ex.Message : $"Training failed: {ex.Message}";
            await state.WriteAsync(state.State with
            {
                Training = state.State.Training with { Status = TrainingStatus.Failed, OrdersRead = _ordersRead, FinishedAt = time.GetUtcNow(), Error = reason },
            });
        }

        await PublishAsync(force: true);
    }

    private static ValueSegmentsVersion Version(int version, Actor by, DateTimeOffset asOf, int customers, int orders, ValueSegmentModel model) => new(
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

    private ValueSegments Current()
    {
        var training = state.State.Training;
        if (training.Status == TrainingStatus.Running)
        {
            training = training with { Progress = Volatile.Read(ref _progress), OrdersRead = _ordersRead };
        }

        return new ValueSegments(TenantId, training, state.State.ActiveVersion, state.State.Versions);
    }

    private async Task PublishAsync(bool force)
    {
        var now = time.GetUtcNow();
        if (!force && now - _publishedAt < PublishEvery)
        {
            return;
        }

        _publishedAt = now;
        _stream ??= this.GetStreamProvider(Constants.StreamProvider).GetStream<ValueSegments>(StreamId.Create(Constants.ValueSegmentsStreamNamespace, TenantId));
        await _stream.OnNextAsync(Current());
    }

    /// <summary>Reported on the thread pool, where training runs: it only sets what the grain publishes next.</summary>
    private sealed class TrainingProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }

    [LoggerMessage(LogLevel.Information, "Tenant {TenantId}: value segments version {Version} trained, k = {K}, silhouette {Silhouette:0.000}, {Customers} customers")]
    private partial void LogTrained(string tenantId, int version, int k, double silhouette, int customers);

    [LoggerMessage(LogLevel.Warning, "Tenant {TenantId}: value segments training failed")]
    private partial void LogTrainingFailed(Exception exception, string tenantId);
}

[GenerateSerializer, Alias("crm.value-segments-state")]
public sealed record ValueSegmentsState
{
    [Id(0)] public ValueSegmentsTraining Training { get; init; } = ValueSegmentsTraining.None;
    [Id(1)] public int? ActiveVersion { get; init; }
    [Id(2)] public ImmutableArray<ValueSegmentsVersion> Versions { get; init; } = [];
}
