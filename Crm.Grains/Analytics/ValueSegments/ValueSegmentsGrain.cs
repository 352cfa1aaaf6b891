using System.Collections.Immutable;
using Crm.Security;
using Crm.Storage;
using Crm.Timeline;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Crm.Analytics;

/// <summary>
/// A tenant's value segments. Training reads every order on the tenant's timelines a page at a time (keeping R, F and M
/// per customer, not the orders), clusters on the thread pool, so the grain still answers while it trains, and then
/// places every customer who ordered in its segment (<see cref="Customers.ICustomerGrain.AssignValueSegmentAsync"/>), as does
/// putting another version in use; its progress goes out on the tenant's stream at most every <see cref="PublishEvery"/>.
/// Work under way when the grain stops starts again when it next activates. The last <see cref="VersionsKept"/>
/// versions are kept. Once a version is in use, a reminder places everyone again every <see cref="PlaceAgainEvery"/>,
/// as recency moves with time.
/// </summary>
public sealed partial class ValueSegmentsGrain(
    [PersistentState("value-segments", Constants.GrainStorage)] IPersistentState<ValueSegmentsState> state,
    ITimelineStore timelines,
    ValueSegmentModelsCache models,
    TimeProvider time,
    ILogger<ValueSegmentsGrain> logger) : Grain, IValueSegmentsGrain, IRemindable
{
    public const int VersionsKept = 10;
    public static readonly TimeSpan PlaceAgainEvery = TimeSpan.FromDays(1);
    private const string PlaceAgainReminder = "place-again";
    private static readonly Actor Schedule = new("value-segments", "Daily placing");
    private const int OrdersPerPage = 5_000;
    private const int PlacedAtOnce = 16;

    /// <summary>The share of the progress that reading and clustering take; placing the customers takes the rest.</summary>
    private const double Trained = 0.6;
    private static readonly TimeSpan PublishEvery = TimeSpan.FromMilliseconds(250);

    private IAsyncStream<ValueSegments>? _stream;
    private double _progress;
    private long _ordersRead;
    private DateTimeOffset _publishedAt;

    /// <summary>The training or placing under way, or the last: a new one starts only once it has ended, not only once its status says so.</summary>
    private Task _job = Task.CompletedTask;

    private string TenantId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Training is { Status: TrainingStatus.Running, StartedBy: { } by })
        {
            // Started again from its beginning: reading and placing change nothing done twice.
            if (state.State.Training.Placing is { } version && state.State.Versions.FirstOrDefault(v => v.Version == version) is { } placing)
            {
                _progress = Trained;
                _job = PlaceInBackgroundAsync(placing);
            }
            else
            {
                _job = TrainInBackgroundAsync(by);
            }
        }

        return Task.CompletedTask;
    }

    public Task<ValueSegments> GetAsync() => Task.FromResult(Current());

    public async Task<ValueSegments> TrainAsync(Actor by)
    {
        if (await BusyAsync())
        {
            return Current();
        }

        (_progress, _ordersRead) = (0, 0);
        await state.WriteAsync(state.State with { Training = new ValueSegmentsTraining(TrainingStatus.Running, 0, 0, time.GetUtcNow(), by, null, null) });
        _job = TrainInBackgroundAsync(by);
        await PublishAsync(force: true);
        return Current();
    }

    public async Task<ValueSegments> ActivateAsync(int version, Actor by)
    {
        var kept = state.State.Versions.FirstOrDefault(v => v.Version == version)
            ?? throw new KeyNotFoundException($"Value segments version {version} is not kept: the kept versions are {string.Join(", ", state.State.Versions.Select(v => v.Version))}.");
        if (await BusyAsync())
        {
            throw new InvalidOperationException("Value segments are being trained or customers placed: put a version in use when that is done.");
        }

        return await StartPlacingAsync(kept, by, generation: state.State.Generation + 1);
    }

    public async Task<ValueSegments> PlaceAgainAsync(Actor by)
    {
        var active = state.State.Versions.FirstOrDefault(v => v.Version == state.State.ActiveVersion)
            ?? throw new InvalidOperationException("No value segments are in use yet: train them first.");
        return await BusyAsync()
            ? throw new InvalidOperationException("Value segments are being trained or customers placed: place them again when that is done.")
            : await StartPlacingAsync(active, by, state.State.Generation);
    }

    public async Task ReceiveReminder(string reminderName, Orleans.Runtime.TickStatus status)
    {
        if (state.State.ActiveVersion is not null && !await BusyAsync())
        {
            await PlaceAgainAsync(Schedule);
        }
    }

    /// <summary>Puts <paramref name="version"/> in use under <paramref name="generation"/> and starts placing everyone by it.</summary>
    private async Task<ValueSegments> StartPlacingAsync(ValueSegmentsVersion version, Actor by, long generation)
    {
        (_progress, _ordersRead) = (Trained, 0);
        await state.WriteAsync(state.State with
        {
            ActiveVersion = version.Version,
            Generation = generation,
            Training = new ValueSegmentsTraining(TrainingStatus.Running, Trained, 0, time.GetUtcNow(), by, null, null, version.Version),
        });
        models.Forget(TenantId);
        _job = PlaceInBackgroundAsync(version);
        await PublishAsync(force: true);
        return Current();
    }

    /// <summary>Whether training or placing is under way; work that recorded its end and is only publishing it is let finish.</summary>
    private async Task<bool> BusyAsync()
    {
        if (state.State.Training.Status == TrainingStatus.Running)
        {
            return true;
        }

        // Never fails: the work catches everything. It runs on while this call waits, as a request's await lets it.
        await _job;
        return false;
    }

    private Task TrainInBackgroundAsync(Actor by) => InBackgroundAsync(async () => await PlaceAsync(await TrainModelAsync(by)));

    private Task PlaceInBackgroundAsync(ValueSegmentsVersion version) => InBackgroundAsync(() => PlaceAsync(version));

    /// <summary>
    /// Started from a call or the activation, and run on as the grain's own work (the call that started it has
    /// returned), its progress published as it goes and its end recorded however it ends.
    /// </summary>
    private async Task InBackgroundAsync(Func<Task> work)
    {
        try
        {
            await Task.Yield();
            await RunAsync(work);
        }
        catch (Exception ex)
        {
            // Publishing or the timer failed: what the work did is recorded; watchers see it at their next read.
            LogTrainingFailed(ex, TenantId);
        }
    }

    private async Task RunAsync(Func<Task> work)
    {
        using var ticker = this.RegisterGrainTimer(_ => PublishAsync(force: false), new GrainTimerCreationOptions(PublishEvery, PublishEvery) { KeepAlive = true });
        try
        {
            await work();
            await state.WriteAsync(state.State with { Training = state.State.Training with { Status = TrainingStatus.Completed, Progress = 1, FinishedAt = time.GetUtcNow(), Error = null, Placing = null } });
        }
        catch (Exception ex)
        {
            LogTrainingFailed(ex, TenantId);
            var reason = ex is InvalidOperationException ? ex.Message : $"Training failed: {ex.Message}";
            try
            {
                await state.WriteAsync(state.State with
                {
                    Training = state.State.Training with { Status = TrainingStatus.Failed, OrdersRead = _ordersRead, FinishedAt = time.GetUtcNow(), Error = reason, Placing = null },
                });
            }
            catch (Exception unrecorded)
            {
                // Still recorded as running: the next activation starts the work again.
                LogTrainingFailed(unrecorded, TenantId);
                DeactivateOnIdle();
                return;
            }
        }

        await PublishAsync(force: true);
    }

    /// <summary>Reads the orders, clusters them, and keeps the new version in use.</summary>
    private async Task<ValueSegmentsVersion> TrainModelAsync(Actor by)
    {
        var builder = new RfmBuilder();
        await foreach (var page in OrderPagesAsync())
        {
            foreach (var order in page.Select(CustomerOrder.Of).OfType<CustomerOrder>())
            {
                builder.Add(order);
            }

            _ordersRead = builder.Orders;
        }

        var asOf = time.GetUtcNow();
        var customers = builder.Build(asOf);
        _progress = 0.1;
        var progress = new TrainingProgress(share => Volatile.Write(ref _progress, 0.1 + (Trained - 0.1) * share));
        var model = await Task.Run(() => ValueSegmentTrainer.Train(customers, progress));
        var version = (state.State.Versions.IsEmpty ? 0 : state.State.Versions.Max(v => v.Version)) + 1;
        var trained = ValueSegmentVersions.Of(model, version, by, asOf, customers.Count, (int)Math.Min(int.MaxValue, builder.Orders));
        await state.WriteAsync(state.State with
        {
            Training = state.State.Training with { OrdersRead = builder.Orders, Placing = version },
            ActiveVersion = version,
            Generation = state.State.Generation + 1,
            Versions = [.. state.State.Versions.Append(trained).OrderByDescending(v => v.Version).Take(VersionsKept)],
        });
        models.Forget(TenantId);
        await this.RegisterOrUpdateReminder(PlaceAgainReminder, PlaceAgainEvery, PlaceAgainEvery);
        LogTrained(TenantId, version, model.K, model.Fit.Silhouette, customers.Count);
        return trained;
    }

    /// <summary>Every customer who ordered, read again a page of orders at a time, placed a few at once.</summary>
    private async Task PlaceAsync(ValueSegmentsVersion version)
    {
        var generation = state.State.Generation;
        string? last = null;
        long placed = 0;
        await foreach (var page in OrderPagesAsync())
        {
            // Pages run in customer order: only a customer whose orders a page boundary cut comes round twice.
            var customers = page.Select(i => i.CustomerId).Distinct().Where(id => id != last).ToList();
            foreach (var batch in customers.Chunk(PlacedAtOnce))
            {
                await Task.WhenAll(batch.Select(id => GrainFactory.GetGrain<Customers.ICustomerGrain>(new Customers.CustomerKey(TenantId, id).ToString()).AssignValueSegmentAsync(version, generation)));
                placed += batch.Length;
                Volatile.Write(ref _progress, Trained + (1 - Trained) * Math.Min(1, (double)placed / Math.Max(1, version.Customers)));
            }

            last = page.Count > 0 ? page[^1].CustomerId : last;
        }
    }

    /// <summary>Every order on the tenant's timelines, a page at a time, in customer order.</summary>
    private async IAsyncEnumerable<IReadOnlyList<Interaction>> OrderPagesAsync()
    {
        TimelinePosition? after = null;
        while (true)
        {
            var page = await timelines.ReadChannelAsync(TenantId, InteractionChannel.Order, after, OrdersPerPage);
            yield return page;
            if (page.Count < OrdersPerPage)
            {
                yield break;
            }

            after = TimelinePosition.Of(page[^1]);
        }
    }

    private ValueSegments Current()
    {
        var training = state.State.Training;
        if (training.Status == TrainingStatus.Running)
        {
            training = training with { Progress = Volatile.Read(ref _progress), OrdersRead = _ordersRead };
        }

        return new ValueSegments(TenantId, training, state.State.ActiveVersion, state.State.Versions, state.State.Generation);
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
    [Id(3)] public long Generation { get; init; }
}
