using Crm.Customers;
using Microsoft.AspNetCore.SignalR;
using Orleans.Streams;

namespace Crm.Web.RealTime;

/// <summary>
/// This web node's subscription to one customer's stream, shared by every connection here that watches the customer.
/// It forwards each change to the customer's SignalR group exactly once and in order: it remembers the highest change
/// number it forwarded, drops what it has seen, and fills any gap from the grain before going on. The grain publishes
/// only while watched: the watch renews that lease with every heartbeat, and catches up then on anything not published.
/// </summary>
internal sealed partial class CustomerWatch(CustomerKey key, IClusterClient cluster, IHubContext<CrmHub> hub, ILogger logger)
    : IAsyncObserver<CustomerEvent>
{
    private const int Batch = 500;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<string> _connections = [];
    private StreamSubscriptionHandle<CustomerEvent>? _subscription;
    private StreamSubscriptionHandle<ViewersChanged>? _viewersSubscription;
    private long _forwarded;
    private int _joining;
    private bool _closed;

    public CustomerKey Key => key;

    private ICustomerGrain Grain => cluster.GetGrain<ICustomerGrain>(key.ToString());

    private IClientProxy Group => hub.Clients.Group(GroupName(key));

    public static string GroupName(CustomerKey key) => $"customer:{key}";

    /// <summary>
    /// Sends the connection what it missed after <paramref name="lastSeen"/>, then adds it to the group. A long history
    /// is sent outside the watch's lock, so that the customer's other watchers keep receiving live changes meanwhile;
    /// only the last few changes that arrived during the catch-up are sent under it, just before the connection joins.
    /// </summary>
    /// <returns>The change number the connection is now up to date with; null when this watch has closed (make a new one).</returns>
    public async Task<long?> TryJoinAsync(string connectionId, long? lastSeen, CancellationToken cancellationToken)
    {
        long sent;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_closed)
            {
                return null;
            }

            if (_subscription is null)
            {
                var stream = cluster.GetStreamProvider(Constants.StreamProvider)
                    .GetStream<CustomerEvent>(StreamId.Create(Constants.CustomerStreamNamespace, key.ToString()));
                var subscription = await stream.SubscribeAsync(this);
                try
                {
                    // Subscribed first: whatever comes after this number arrives on the stream.
                    _forwarded = await Grain.WatchAsync();
                    _viewersSubscription = await cluster.GetStreamProvider(Constants.StreamProvider)
                        .GetStream<ViewersChanged>(StreamId.Create(Constants.CustomerViewersStreamNamespace, key.ToString()))
                        .SubscribeAsync((viewers, _) => Group.SendAsync(HubMessages.ViewersChanged, viewers));
                }
                catch
                {
                    // Half set up, the next joiner would be told it is up to date at nothing: start from scratch then.
                    await subscription.UnsubscribeAsync();
                    throw;
                }

                _subscription = subscription;
            }
            else if (lastSeen > _forwarded)
            {
                // The connection has seen more than this node forwarded (it was on another node): catch the group up,
                // so that nothing it has seen reaches it again through the group.
                await ForwardMissedAsync(cancellationToken);
            }

            sent = Math.Min(lastSeen ?? _forwarded, _forwarded);
            _joining++;
        }
        finally
        {
            _gate.Release();
        }

        try
        {
            while (true)
            {
                await _gate.WaitAsync(cancellationToken);
                long upTo;
                try
                {
                    if (_forwarded - sent <= Batch)
                    {
                        await SendMissedAsync(connectionId, sent, _forwarded, cancellationToken);
                        await hub.Groups.AddToGroupAsync(connectionId, GroupName(key), cancellationToken);
                        _connections.Add(connectionId);
                        return _forwarded;
                    }

                    upTo = _forwarded;
                }
                finally
                {
                    _gate.Release();
                }

                await SendMissedAsync(connectionId, sent, upTo, cancellationToken);
                sent = upTo;
            }
        }
        finally
        {
            await _gate.WaitAsync(CancellationToken.None);
            try
            {
                // A join given up half way (the call was cancelled) must not leave a watch that nobody will leave.
                if (--_joining == 0 && _connections.Count == 0)
                {
                    await CloseAsync();
                }
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    /// <returns>True when the last connection left and the watch closed.</returns>
    public async Task<bool> LeaveAsync(string connectionId)
    {
        await _gate.WaitAsync();
        try
        {
            await hub.Groups.RemoveFromGroupAsync(connectionId, GroupName(key));
            if (!_connections.Remove(connectionId) || _connections.Count > 0 || _joining > 0)
            {
                return false;
            }

            await CloseAsync();
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task CloseAsync()
    {
        _closed = true;
        try
        {
            await (_subscription?.UnsubscribeAsync() ?? Task.CompletedTask);
            await (_viewersSubscription?.UnsubscribeAsync() ?? Task.CompletedTask);
        }
        catch (Exception ex)
        {
            LogUnsubscribeFailed(ex, key);
        }
    }

    /// <summary>
    /// Keeps the customer publishing to this node and catches up on what it did not publish (a lease that ran out
    /// while a renewal failed), then tells the viewers grain that this node's views of the customer are still open.
    /// </summary>
    public async Task RenewAsync()
    {
        var latest = await Grain.WatchAsync();
        string[] connections;
        await _gate.WaitAsync();
        try
        {
            if (_closed)
            {
                return;
            }

            if (latest > _forwarded)
            {
                await ForwardMissedAsync(CancellationToken.None);
            }

            connections = [.. _connections];
        }
        finally
        {
            _gate.Release();
        }

        if (connections.Length > 0)
        {
            await cluster.GetGrain<ICustomerViewersGrain>(key.ToString()).RefreshAsync([.. connections]);
        }
    }

    public async Task OnNextAsync(CustomerEvent change, StreamSequenceToken? token = null)
    {
        await _gate.WaitAsync();
        try
        {
            if (_closed || change.Sequence <= _forwarded)
            {
                return;
            }

            if (change.Sequence > _forwarded + 1)
            {
                await ForwardMissedAsync(CancellationToken.None);
            }

            if (change.Sequence > _forwarded)
            {
                await HubMessages.SendAsync(Group, change);
                _forwarded = change.Sequence;
            }
        }
        catch (Exception ex)
        {
            LogForwardFailed(ex, key, change.Sequence);
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        LogStreamError(ex, key);
        return Task.CompletedTask;
    }

    /// <summary>Forwards to the group every change after the last one forwarded, as the grain has them now.</summary>
    private async Task ForwardMissedAsync(CancellationToken cancellationToken)
    {
        await foreach (var change in ChangesAfterAsync(_forwarded, long.MaxValue, cancellationToken))
        {
            await HubMessages.SendAsync(Group, change, cancellationToken);
            _forwarded = change.Sequence;
        }
    }

    /// <summary>Sends one connection the changes after <paramref name="after"/> up to <paramref name="upTo"/>, which the group has already had.</summary>
    private async Task SendMissedAsync(string connectionId, long after, long upTo, CancellationToken cancellationToken)
    {
        var connection = hub.Clients.Client(connectionId);
        await foreach (var change in ChangesAfterAsync(after, upTo, cancellationToken))
        {
            await HubMessages.SendAsync(connection, change, cancellationToken);
        }
    }

    private async IAsyncEnumerable<CustomerEvent> ChangesAfterAsync(long after, long upTo, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (after < upTo)
        {
            var changes = await Grain.GetChangesSinceAsync(after, Batch);
            foreach (var change in changes.Events.Where(c => c.Sequence <= upTo))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return change;
            }

            if (changes.Events.IsEmpty || changes.Events[^1].Sequence >= changes.LatestSequence)
            {
                yield break;
            }

            after = changes.Events[^1].Sequence;
        }
    }

    [LoggerMessage(LogLevel.Warning, "Customer {CustomerKey}: change {Sequence} not forwarded to watchers")]
    private partial void LogForwardFailed(Exception exception, CustomerKey customerKey, long sequence);

    [LoggerMessage(LogLevel.Warning, "Customer {CustomerKey}: stream error")]
    private partial void LogStreamError(Exception exception, CustomerKey customerKey);

    [LoggerMessage(LogLevel.Warning, "Customer {CustomerKey}: unsubscribing failed")]
    private partial void LogUnsubscribeFailed(Exception exception, CustomerKey customerKey);
}
