using BitFaster.Caching;
using BitFaster.Caching.Lru;

namespace Crm.Segments;

/// <summary>
/// Each tenant's saved segments, kept on every silo for <see cref="KeepFor"/> so that judging a customer's
/// membership at each change asks the segments grain a few times a minute, not at every change. A change of the
/// segments drops them here at once on the silo that holds the segments grain; other silos judge by the old ones
/// for up to <see cref="KeepFor"/> (the segment counts recount after that, see <see cref="SegmentCountsGrain"/>).
/// </summary>
public sealed class SegmentRulesCache(IGrainFactory grains)
{
    public static readonly TimeSpan KeepFor = TimeSpan.FromSeconds(5);

    /// <summary>One read per tenant at a time however many customers ask at once; a few thousand tenants busy at once.</summary>
    private readonly IAsyncCache<string, IReadOnlyList<SavedSegment>> _segments = new ConcurrentLruBuilder<string, IReadOnlyList<SavedSegment>>()
        .WithCapacity(2_000)
        .WithExpireAfterWrite(KeepFor)
        .WithAtomicGetOrAdd()
        .AsAsyncCache()
        .Build();

    public ValueTask<IReadOnlyList<SavedSegment>> GetAsync(string tenantId) =>
        _segments.GetOrAddAsync(tenantId, tenant => grains.GetGrain<ISegmentsGrain>(tenant).ListAsync());

    public void Forget(string tenantId) => _segments.TryRemove(tenantId);
}
