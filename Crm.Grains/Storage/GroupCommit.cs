using System.Threading.Channels;

namespace Crm.Storage;

/// <summary>
/// Group commit: what many concurrent callers submit is committed together, in one round trip and one transaction
/// for everything that arrived while the previous commit was under way. When idle, an item is committed at once,
/// so batching costs nothing at low load and is what keeps latency flat at high load.
/// </summary>
/// <remarks>
/// A commit that fails fails every caller in it, unless <c>retryAlone</c> says the failure may be one item's
/// (a constraint it breaks): then each item is committed on its own, so that only that item's caller fails.
/// </remarks>
public sealed class GroupCommit<TItem, TResult> : IAsyncDisposable
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();
    private readonly Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> _commit;
    private readonly Func<TItem, int> _weight;
    private readonly int _maxWeight;
    private readonly Func<Exception, bool> _retryAlone;
    private readonly Task _writers;

    /// <param name="commit">Commits the items in one transaction; returns one result per item, in order.</param>
    /// <param name="maxWeightPerCommit">How much one commit takes at most, in <paramref name="weight"/> units (items by default).</param>
    /// <param name="writers">Commits under way at once: while one commits, the next is gathered.</param>
    public GroupCommit(
        Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> commit,
        int maxWeightPerCommit,
        int writers,
        Func<TItem, int>? weight = null,
        Func<Exception, bool>? retryAlone = null)
    {
        _commit = commit;
        _maxWeight = maxWeightPerCommit;
        _weight = weight ?? (_ => 1);
        _retryAlone = retryAlone ?? (_ => false);
        // The thread pool, whoever creates this: writers must not run on (and be stopped with) a grain's scheduler.
        _writers = Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(WriteLoopAsync)));
    }

    public Task<TResult> CommitAsync(TItem item)
    {
        var pending = new Pending(item, new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        return _queue.Writer.TryWrite(pending)
            ? pending.Completion.Task
            : Task.FromException<TResult>(new ObjectDisposedException(nameof(GroupCommit<TItem, TResult>)));
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writers;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            var weight = 0;
            while (weight < _maxWeight && _queue.Reader.TryRead(out var pending))
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
        catch (Exception ex) when (batch.Count > 1 && _retryAlone(ex))
        {
            foreach (var pending in batch)
            {
                await CommitAsync([pending]);
            }
        }
        catch (Exception ex)
        {
            batch.ForEach(p => p.Completion.TrySetException(ex));
        }
    }

    private sealed record Pending(TItem Item, TaskCompletionSource<TResult> Completion);
}
