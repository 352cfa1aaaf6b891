using System.Collections.Immutable;
using Crm.Customers;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Crm.Segments;

/// <summary>
/// Counts a tenant's segments, in the customer list, only while a page watches them (for <see cref="WatchedFor"/>
/// after the last watch) and only when the membership stream says a customer entered or left one, at most once every
/// <see cref="RecountEvery"/> however many do: a count of a million customers is a query, not something to run for
/// every change of one. A recount that takes long spaces the next ones out (five times its own time), so that
/// counting never takes more than a fifth of the database's time.
/// </summary>
[ImplicitStreamSubscription(Constants.SegmentMembershipStreamNamespace)]
public sealed class SegmentCountsGrain(ICustomerDirectory directory, TimeProvider time)
    : Grain, ISegmentCountsGrain, IStreamSubscriptionObserver, IAsyncObserver<SegmentMembershipChanges>
{
    public static readonly TimeSpan RecountEvery = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan WatchedFor = TimeSpan.FromMinutes(10);

    /// <summary>
    /// While watched, counted again this often whatever the stream said: a membership change is a signal, and one
    /// lost (a silo gone with its batch, a rule not readable for a moment) must not leave a count wrong for good.
    /// </summary>
    public static readonly TimeSpan ReconcileEvery = TimeSpan.FromMinutes(1);

    private DateTimeOffset _watchedUntil;
    private SegmentCounts? _last;
    private IGrainTimer? _recount;
    private IGrainTimer? _settled;
    private IGrainTimer? _reconcile;
    private bool _dirty;

    private string TenantId => this.GetPrimaryKeyString();

    public async Task<SegmentCounts> WatchAsync()
    {
        _watchedUntil = time.GetUtcNow() + WatchedFor;
        _reconcile ??= this.RegisterGrainTimer(_ =>
        {
            if (time.GetUtcNow() > _watchedUntil)
            {
                _reconcile?.Dispose();
                _reconcile = null;
            }

            Moved();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(ReconcileEvery, ReconcileEvery));
        return _last ??= await CountAsync();
    }

    public Task SegmentsChangedAsync()
    {
        Moved();
        // Silos that cached the segments before judge membership by them a few seconds more, and what they judge
        // wrong goes unsaid: the list has it right, so it is counted again once their copies are gone.
        _settled?.Dispose();
        _settled = this.RegisterGrainTimer(_ =>
        {
            Moved();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(SegmentRulesCache.KeepFor + RecountEvery, Timeout.InfiniteTimeSpan));
        return Task.CompletedTask;
    }

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        handleFactory.Create<SegmentMembershipChanges>().ResumeAsync(this);

    public Task OnNextAsync(SegmentMembershipChanges item, StreamSequenceToken? token = null)
    {
        Moved();
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    private void Moved()
    {
        if (time.GetUtcNow() > _watchedUntil)
        {
            _last = null;
            return;
        }

        _dirty = true;
        _recount ??= this.RegisterGrainTimer(RecountAsync, new GrainTimerCreationOptions(RecountEvery, RecountEvery) { KeepAlive = true });
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
