using System.Threading.Channels;

namespace Crm.Storage;

/// <summary>
/// Group commit: what many concurrent callers submit is committed together, in one round trip and one transaction
/// for everything that arrived while the previous commit was under way. When idle, an item is committed at once,
/// so batching costs nothing at low load and is what keeps latency flat at high load.
/// </summary>
/// <remarks>
/// A commit that fails because of what one item holds (<see cref="DatabaseErrors.IsRowError"/>) is split in halves
/// and each half committed again, until the item that the database refuses fails alone: one caller's bad row never
/// fails another caller. Any other failure (the database is down) fails every caller in the commit, each of whom may
/// try again; it never turns commits into one-item transactions.
/// </remarks>
public sealed class GroupCommit<TItem, TResult> : IAsyncDisposable
{
    private readonly IGroupCommitQueue<Pending> _queue;
    private readonly Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> _commit;
    private readonly Func<TItem, int> _weight;
    private readonly int _maxWeight;
    private readonly Task _writers;

    /// <param name="commit">Commits the items in one transaction; returns one result per item, in order.</param>
    /// <param name="maxWeightPerCommit">How much one commit takes at most, in <paramref name="weight"/> units (items by default).</param>
    /// <param name="writers">Commits under way at once: while one commits, the next is gathered.</param>
    /// <param name="fairBy">When set, items are gathered in turns by this key (a tenant), so that one key's flood waits behind others' items, not the reverse.</param>
    public GroupCommit(
        Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> commit,
        int maxWeightPerCommit,
        int writers,
        Func<TItem, int>? weight = null,
        Func<TItem, string>? fairBy = null)
    {
        _commit = commit;
        _maxWeight = maxWeightPerCommit;
        _weight = weight ?? (_ => 1);
        _queue = fairBy is null ? new FifoQueue() : new FairQueue(p => fairBy(p.Item));
        // The thread pool, whoever creates this: writers must not run on (and be stopped with) a grain's scheduler, nor
        // carry the creator's context (its trace would become the parent of every commit's).
        using (ExecutionContext.SuppressFlow())
        {
            _writers = Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(WriteLoopAsync)));
        }
    }

    public Task<TResult> CommitAsync(TItem item)
    {
        var pending = new Pending(item, new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        return _queue.TryWrite(pending)
            ? pending.Completion.Task
            : Task.FromException<TResult>(new ObjectDisposedException(nameof(GroupCommit<TItem, TResult>)));
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Complete();
        await _writers;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>();
        while (await _queue.WaitToReadAsync())
        {
            var weight = 0;
            while (weight < _maxWeight && _queue.TryRead(out var pending))
            {
                batch.Add(pending);
                weight += _weight(pending.Item);
            }

            if (batch.Count > 0)
            {
                await CommitAsync(batch);
                batch.Clear();
            }
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        try
        {
            var results = await _commit(batch.ConvertAll(p => p.Item));
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Completion.TrySetResult(results[i]);
            }
        }
        catch (Exception ex) when (batch.Count > 1 && DatabaseErrors.IsRowError(ex))
        {
            await CommitAsync(batch[..(batch.Count / 2)]);
            await CommitAsync(batch[(batch.Count / 2)..]);
        }
        catch (Exception ex)
        {
            batch.ForEach(p => p.Completion.TrySetException(ex));
        }
    }

    private sealed record Pending(TItem Item, TaskCompletionSource<TResult> Completion);

    private interface IGroupCommitQueue<T>
    {
        bool TryWrite(T item);

        bool TryRead(out T item);

        ValueTask<bool> WaitToReadAsync();

        void Complete();
    }

    private sealed class FifoQueue : IGroupCommitQueue<Pending>
    {
        private readonly Channel<Pending> _channel = Channel.CreateUnbounded<Pending>();

        public bool TryWrite(Pending item) => _channel.Writer.TryWrite(item);

        public bool TryRead(out Pending item) => _channel.Reader.TryRead(out item!);

        public ValueTask<bool> WaitToReadAsync() => _channel.Reader.WaitToReadAsync();

        public void Complete() => _channel.Writer.TryComplete();
    }

    /// <summary>One queue per key, read in turns (round robin): each key gets an equal share of every commit.</summary>
    private sealed class FairQueue(Func<Pending, string> keyOf) : IGroupCommitQueue<Pending>
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, Queue<Pending>> _byKey = [];
        private readonly Queue<string> _turns = new();
        private readonly Channel<bool> _signal = Channel.CreateUnbounded<bool>();
        private bool _completed;

        public bool TryWrite(Pending item)
        {
            lock (_lock)
            {
                if (_completed)
                {
                    return false;
                }

                var key = keyOf(item);
                if (!_byKey.TryGetValue(key, out var queue))
                {
                    _byKey[key] = queue = new Queue<Pending>();
                    _turns.Enqueue(key);
                }

                queue.Enqueue(item);
            }

            _signal.Writer.TryWrite(true);
            return true;
        }

        public bool TryRead(out Pending item)
        {
            lock (_lock)
            {
                while (_turns.TryDequeue(out var key))
                {
                    var queue = _byKey[key];
                    if (queue.TryDequeue(out item!))
                    {
                        if (queue.Count > 0)
                        {
                            _turns.Enqueue(key);
                        }
                        else
                        {
                            _byKey.Remove(key);
                        }

                        return true;
                    }
                }

                item = null!;
                return false;
            }
        }

        public async ValueTask<bool> WaitToReadAsync()
        {
            while (true)
            {
                lock (_lock)
                {
                    if (_turns.Count > 0)
                    {
                        return true;
                    }

                    if (_completed)
                    {
                        return false;
                    }
                }

                if (!await _signal.Reader.WaitToReadAsync())
                {
                    return false;
                }

                while (_signal.Reader.TryRead(out _))
                {
                }
            }
        }

        public void Complete()
        {
            lock (_lock)
            {
                _completed = true;
            }

            _signal.Writer.TryComplete();
        }
    }
}
