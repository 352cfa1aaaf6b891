using System.Collections.Immutable;
using Crm.Security;
using Orleans.Streams;

namespace Crm.Customers;

/// <summary>Presence for one customer. Nothing here is worth persisting: it is rebuilt as viewers come back.</summary>
public sealed class CustomerViewersGrain(TimeProvider time) : Grain, ICustomerViewersGrain
{
    /// <summary>Web nodes refresh every <see cref="RefreshInterval"/>; three missed refreshes and the viewer is gone.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Expiry = RefreshInterval * 3;

    private readonly Dictionary<string, (Actor User, DateTimeOffset RefreshedAt)> _views = [];
    private ImmutableArray<Actor> _published = [];
    private CustomerKey _key;
    private IAsyncStream<ViewersChanged>? _stream;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = CustomerKey.Parse(this.GetPrimaryKeyString());
        this.RegisterGrainTimer(_ => ExpireAsync(), new GrainTimerCreationOptions(RefreshInterval, RefreshInterval) { KeepAlive = false });
        return Task.CompletedTask;
    }

    public async Task<ImmutableArray<Actor>> JoinAsync(string viewerId, Actor user)
    {
        _views[viewerId] = (user, time.GetUtcNow());
        await PublishIfChangedAsync();
        return _published;
    }

    public async Task LeaveAsync(string viewerId)
    {
        if (_views.Remove(viewerId))
        {
            await PublishIfChangedAsync();
        }
    }

    public Task RefreshAsync(ImmutableArray<string> viewerIds)
    {
        var now = time.GetUtcNow();
        foreach (var id in viewerIds.Where(_views.ContainsKey))
        {
            _views[id] = (_views[id].User, now);
        }

        return Task.CompletedTask;
    }

    private async Task ExpireAsync()
    {
        var cutoff = time.GetUtcNow() - Expiry;
        foreach (var stale in _views.Where(v => v.Value.RefreshedAt < cutoff).Select(v => v.Key).ToList())
        {
            _views.Remove(stale);
        }

        await PublishIfChangedAsync();
        if (_views.Count == 0)
        {
            DeactivateOnIdle();
        }
    }

    private async Task PublishIfChangedAsync()
    {
        var viewers = _views.Values.Select(v => v.User).DistinctBy(u => u.Id).OrderBy(u => u.Name, StringComparer.Ordinal).ToImmutableArray();
        if (viewers.SequenceEqual(_published))
        {
            return;
        }

        _published = viewers;
        _stream ??= this.GetStreamProvider(Constants.StreamProvider)
            .GetStream<ViewersChanged>(StreamId.Create(Constants.CustomerViewersStreamNamespace, this.GetPrimaryKeyString()));
        await _stream.OnNextAsync(new ViewersChanged(_key.CustomerId, viewers));
    }
}
