using System.Collections.Immutable;
using Crm.Customers;
using Orleans.Streams;

namespace Crm.Segments;

/// <summary>
/// Counts a tenant's segments, in the customer list, only while a page watches them (for <see cref="WatchedFor"/>
/// after the last watch) and at most once every <see cref="RecountEvery"/>, however many changes arrive: a count of a
/// million customers is a query, not something to run for every change of one. A recount that takes long spaces the
/// next ones out (five times its own time), so that counting never takes more than a fifth of the database's time.
/// </summary>
public sealed class SegmentCountsGrain(ICustomerDirectory directory, TimeProvider time) : Grain, ISegmentCountsGrain
{
    public static readonly TimeSpan RecountEvery = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan WatchedFor = TimeSpan.FromMinutes(10);

    private DateTimeOffset _watchedUntil;
    private SegmentCounts? _last;
    private IGrainTimer? _recount;
    private bool _dirty;

    private string TenantId => this.GetPrimaryKeyString();

    public async Task<SegmentCounts> WatchAsync()
    {
        _watchedUntil = time.GetUtcNow() + WatchedFor;
        return _last ??= await CountAsync();
    }

    public Task ChangedAsync()
    {
        if (time.GetUtcNow() > _watchedUntil)
        {
            _last = null;
            return Task.CompletedTask;
        }

        _dirty = true;
        _recount ??= this.RegisterGrainTimer(RecountAsync, new GrainTimerCreationOptions(RecountEvery, RecountEvery) { KeepAlive = true });
        return Task.CompletedTask;
    }

    private async Task RecountAsync(CancellationToken cancellationToken)
    {
        if (!_dirty || time.GetUtcNow() > _watchedUntil)
        {
            _recount?.Dispose();
            _recount = null;
            return;
        }

        _dirty = false;
        var started = time.GetTimestamp();
        var counts = await CountAsync();
        var spacing = TimeSpan.FromTicks(Math.Max(RecountEvery.Ticks, time.GetElapsedTime(started).Ticks * 5));
        _recount?.Change(spacing, spacing);
        if (_last is not { } last || last.MemberCounts.Count != counts.MemberCounts.Count
            || counts.MemberCounts.Any(c => last.MemberCounts.GetValueOrDefault(c.Key, -1) != c.Value))
        {
            _last = counts;
            await this.GetStreamProvider(Constants.StreamProvider)
                .GetStream<SegmentCounts>(StreamId.Create(Constants.SegmentCountsStreamNamespace, TenantId))
                .OnNextAsync(counts);
        }
    }

    private async Task<SegmentCounts> CountAsync()
    {
        var now = time.GetUtcNow();
        var segments = await GrainFactory.GetGrain<ISegmentsGrain>(TenantId).ListAsync();
        var counts = await directory.CountEachAsync(TenantId, [.. segments.Select(s => s.Rule)], now);
        return new SegmentCounts(TenantId, segments.Select((s, i) => (s.Id, Count: counts[i])).ToImmutableDictionary(c => c.Id, c => c.Count, StringComparer.Ordinal), now);
    }
}
