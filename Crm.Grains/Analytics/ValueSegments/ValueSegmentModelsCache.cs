using BitFaster.Caching;
using BitFaster.Caching.Lru;

namespace Crm.Analytics;

/// <summary>
/// Each tenant's value segments model in use, kept on every silo for <see cref="KeepFor"/>, so that a customer placed
/// again at each order asks the tenant's grain a few times a minute, not at every order. A version put in use reaches
/// the customers through the pass that places them all; a customer that a newer choice placed already refuses the
/// older one, and its silo forgets the model it had.
/// </summary>
public sealed class ValueSegmentModelsCache(IGrainFactory grains)
{
    public static readonly TimeSpan KeepFor = TimeSpan.FromSeconds(30);

    private readonly IAsyncCache<string, (ValueSegmentsVersion? Model, long Generation)> _models = new ConcurrentLruBuilder<string, (ValueSegmentsVersion?, long)>()
        .WithCapacity(2_000)
        .WithExpireAfterWrite(KeepFor)
        .WithAtomicGetOrAdd()
        .AsAsyncCache()
        .Build();

    public ValueTask<(ValueSegmentsVersion? Model, long Generation)> GetAsync(string tenantId) =>
        _models.GetOrAddAsync(tenantId, async tenant => await grains.GetGrain<IValueSegmentsGrain>(tenant).GetAsync() is var segments
            ? (segments.Active, segments.Generation) : default);

    public void Forget(string tenantId) => _models.TryRemove(tenantId);
}
