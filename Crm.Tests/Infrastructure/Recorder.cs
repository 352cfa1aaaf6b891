using System.Threading.Channels;

namespace Crm.Tests.Infrastructure;

/// <summary>Collects what arrives asynchronously (stream events, hub messages) and lets a test wait for it without sleeping.</summary>
public sealed class Recorder<T>
{
    private readonly Channel<T> _channel = Channel.CreateUnbounded<T>();
    private readonly List<T> _received = [];

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public void Record(T item) => _channel.Writer.TryWrite(item);

    /// <summary>Waits until <paramref name="count"/> items have arrived in all, and returns all of them.</summary>
    public async Task<IReadOnlyList<T>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            while (_received.Count < count)
            {
                _received.Add(await _channel.Reader.ReadAsync(cancellation.Token));
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Received {_received.Count} of {count} expected items within {timeout ?? DefaultTimeout}.");
        }

        return _received.ToList();
    }

    /// <summary>Everything received so far, after giving in-flight items <paramref name="grace"/> to arrive.</summary>
    public async Task<IReadOnlyList<T>> DrainAsync(TimeSpan grace)
    {
        using var cancellation = new CancellationTokenSource(grace);
        try
        {
            while (true)
            {
                _received.Add(await _channel.Reader.ReadAsync(cancellation.Token));
            }
        }
        catch (OperationCanceledException)
        {
            return _received.ToList();
        }
    }
}
