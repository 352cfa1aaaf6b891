using System.Collections.Immutable;
using Crm.Storage;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Crm.Analytics;

/// <summary>
/// A tenant's live KPIs from its activity stream, in memory: counts in ten-second buckets over the last hour, which
/// customers were active per minute over the last hour and per hour over the last day (as HyperLogLog sketches, a few
/// kilobytes however many customers there are), and today's totals. Publishes the KPIs on the tenant's
/// dashboard stream when they change, at most every <see cref="PublishInterval"/>, however fast events come.
/// </summary>
[ImplicitStreamSubscription(Constants.ActivityStreamNamespace)]
public sealed partial class TenantActivityGrain(TimeProvider time, ILogger<TenantActivityGrain> logger) : Grain, ITenantActivityGrain, IStreamSubscriptionObserver, IAsyncObserver<ActivityBatch>
{
    public static readonly TimeSpan PublishInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan BucketSize = TimeSpan.FromSeconds(10);
    private const int Buckets = 360;
    private static readonly TimeSpan ActiveWindow = TimeSpan.FromDays(1);

    private readonly Dictionary<long, Bucket> _buckets = [];
    private readonly Dictionary<long, HyperLogLog> _activeByMinute = [];
    private readonly Dictionary<long, HyperLogLog> _activeByHour = [];
    private readonly Dictionary<string, long> _byAgentToday = [];
    private readonly Dictionary<string, long> _byChannelToday = [];
    private DateOnly _today;
    private int _newToday;
    private long _totalToday;
    private DateTimeOffset _lastPublished;
    private IGrainTimer? _publish;
    private IAsyncStream<LiveKpis>? _dashboard;

    public Task<LiveKpis> GetKpisAsync() => Task.FromResult(Snapshot());

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) => handleFactory.Create<ActivityBatch>().ResumeAsync(this);

    public async Task OnNextAsync(ActivityBatch batch, StreamSequenceToken? token = null)
    {
        var now = time.GetUtcNow();
        RollDay(now);
        foreach (var activity in batch.Items)
        {
            // Counted when it happened, not when it arrived: a backfill of last year's orders is not live activity.
            var at = activity.At > now ? now : activity.At;
            if (now - at < BucketSize * Buckets)
            {
                BucketAt(at).Add(activity);
            }

            if (now - at <= ActiveWindow)
            {
                Sketch(_activeByHour, at.UtcTicks / TimeSpan.TicksPerHour).Add(activity.CustomerId);
                if (now - at <= TimeSpan.FromHours(1))
                {
                    Sketch(_activeByMinute, at.UtcTicks / TimeSpan.TicksPerMinute).Add(activity.CustomerId);
                }
            }

            // The customer record is new now, whatever the time of the event that created it.
            if (activity.NewCustomer)
            {
                _newToday++;
            }

            if (DateOnly.FromDateTime(at.UtcDateTime) != _today)
            {
                continue;
            }

            _totalToday++;
            // Only interactions have a channel; they are what channels and agents are counted by.
            if (activity.Channel is { } channel)
            {
                var name = DbText.From(channel);
                _byChannelToday[name] = _byChannelToday.GetValueOrDefault(name) + 1;
                if (activity.Agent is { } agent)
                {
                    _byAgentToday[agent.Name] = _byAgentToday.GetValueOrDefault(agent.Name) + 1;
                }
            }
        }

        await PublishSoonAsync(now);
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    /// <summary>Publishes now if the last publication is old enough, otherwise once, when it is.</summary>
    private async Task PublishSoonAsync(DateTimeOffset now)
    {
        var wait = _lastPublished + PublishInterval - now;
        if (wait <= TimeSpan.Zero)
        {
            await PublishAsync();
        }
        else
        {
            _publish ??= this.RegisterGrainTimer(_ => PublishAsync(), new GrainTimerCreationOptions(wait, Timeout.InfiniteTimeSpan));
        }
    }

    private async Task PublishAsync()
    {
        _publish?.Dispose();
        _publish = null;
        _lastPublished = time.GetUtcNow();
        _dashboard ??= this.GetStreamProvider(Constants.StreamProvider)
            .GetStream<LiveKpis>(StreamId.Create(Constants.DashboardStreamNamespace, this.GetPrimaryKeyString()));
        try
        {
            await _dashboard.OnNextAsync(Snapshot());
        }
        catch (Exception ex)
        {
            // Each publication is the whole picture, so the next one makes up for this; failing the activity batch
            // instead would have it delivered, and counted, again.
            LogPublishFailed(ex, this.GetPrimaryKeyString());
        }
    }

    [LoggerMessage(LogLevel.Warning, "Tenant {TenantId}: live KPIs not published to dashboards")]
    private partial void LogPublishFailed(Exception exception, string tenantId);

    private LiveKpis Snapshot()
    {
        var now = time.GetUtcNow();
        RollDay(now);
        var current = Index(now);
        foreach (var old in _buckets.Keys.Where(k => k <= current - Buckets).ToList())
        {
            _buckets.Remove(old);
        }

        var (minute, hour) = (now.UtcTicks / TimeSpan.TicksPerMinute, now.UtcTicks / TimeSpan.TicksPerHour);
        Expire(_activeByMinute, minute - 60);
        Expire(_activeByHour, hour - 24);

        var lastMinute = _buckets.Where(b => b.Key > current - 6).Select(b => b.Value).ToList();
        var perMinute = Enumerable.Range(0, 30).Reverse()
            .Select(m =>
            {
                var minute = new DateTimeOffset(now.UtcDateTime.Ticks - now.UtcDateTime.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(-m);
                var from = Index(minute);
                return new MinuteCount(minute, _buckets.Where(b => b.Key >= from && b.Key < from + 6).Sum(b => b.Value.Total));
            })
            .ToImmutableArray();
        int Active(Dictionary<long, HyperLogLog> sketches, long since)
        {
            var union = new HyperLogLog();
            foreach (var (at, sketch) in sketches.Where(s => s.Key >= since))
            {
                union.Merge(sketch);
            }

            return union.Count();
        }

        return new LiveKpis
        {
            At = now,
            PerMinute = perMinute,
            LastMinute = lastMinute.Sum(b => b.Total),
            LastMinuteByType = Top(lastMinute.SelectMany(b => b.ByType)),
            LastMinuteByChannel = Top(lastMinute.SelectMany(b => b.ByChannel)),
            ActiveCustomers5Minutes = Active(_activeByMinute, minute - 4),
            ActiveCustomers1Hour = Active(_activeByMinute, minute - 59),
            ActiveCustomers24Hours = Active(_activeByHour, hour - 23),
            NewCustomersToday = _newToday,
            TopEvents = Top(_buckets.Values.SelectMany(b => b.EventNames), 10),
            InteractionsByAgent = Top(_byAgentToday),
            InteractionsByChannel = Top(_byChannelToday),
            TotalToday = _totalToday,
        };
    }

    private static ImmutableArray<NamedCount> Top(IEnumerable<KeyValuePair<string, long>> counts, int take = int.MaxValue) =>
        [.. counts.GroupBy(c => c.Key).Select(g => new NamedCount(g.Key, g.Sum(c => c.Value)))
            .OrderByDescending(c => c.Count).ThenBy(c => c.Name, StringComparer.Ordinal).Take(take)];

    private void RollDay(DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (today != _today)
        {
            _today = today;
            _newToday = 0;
            _totalToday = 0;
            _byAgentToday.Clear();
            _byChannelToday.Clear();
        }
    }

    private static HyperLogLog Sketch(Dictionary<long, HyperLogLog> sketches, long at)
    {
        if (!sketches.TryGetValue(at, out var sketch))
        {
            sketches[at] = sketch = new HyperLogLog();
        }

        return sketch;
    }

    private static void Expire(Dictionary<long, HyperLogLog> sketches, long before)
    {
        foreach (var old in sketches.Keys.Where(k => k < before).ToList())
        {
            sketches.Remove(old);
        }
    }

    private Bucket BucketAt(DateTimeOffset at)
    {
        var index = Index(at);
        if (!_buckets.TryGetValue(index, out var bucket))
        {
            _buckets[index] = bucket = new Bucket();
        }

        return bucket;
    }

    private static long Index(DateTimeOffset at) => at.UtcTicks / BucketSize.Ticks;

    private sealed class Bucket
    {
        public long Total { get; private set; }
        public Dictionary<string, long> ByType { get; } = [];
        public Dictionary<string, long> ByChannel { get; } = [];
        public Dictionary<string, long> EventNames { get; } = [];

        public void Add(Activity activity)
        {
            Total++;
            ByType[activity.Type] = ByType.GetValueOrDefault(activity.Type) + 1;
            if (activity.Channel is { } channel)
            {
                var name = DbText.From(channel);
                ByChannel[name] = ByChannel.GetValueOrDefault(name) + 1;
            }

            if (activity.EventName is { } eventName)
            {
                EventNames[eventName] = EventNames.GetValueOrDefault(eventName) + 1;
            }
        }
    }
}
