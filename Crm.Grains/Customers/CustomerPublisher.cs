using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Crm.Customers;

/// <summary>
/// Publishes a customer's changes on its stream while a web node watches it: a watch is a lease that nodes renew. A
/// customer nobody watches publishes nothing, which keeps bulk ingest cheap. A customer that existed before this
/// activation publishes for one lease unasked (see <see cref="Reactivated"/>), so that watches from before it was
/// deactivated carry on until renewed; one created now has nobody watching it yet.
/// </summary>
internal sealed partial class CustomerPublisher(IGrainBase grain, CustomerKey key, TimeProvider time, TimeSpan lease, ILogger logger)
{
    private IAsyncStream<CustomerEvent>? _stream;
    private DateTimeOffset _until = DateTimeOffset.MinValue;

    public void Renew() => _until = time.GetUtcNow() + lease;

    /// <summary>Whether a web node watches the customer (its lease has not run out).</summary>
    public bool IsWatched => time.GetUtcNow() <= _until;

    /// <summary>The customer existed before this activation: web nodes may still watch it from before.</summary>
    public void Reactivated() => Renew();

    public async Task PublishAsync(CustomerEvent change)
    {
        if (!IsWatched)
        {
            return;
        }

        try
        {
            _stream ??= grain.GetStreamProvider(Constants.StreamProvider)
                .GetStream<CustomerEvent>(StreamId.Create(Constants.CustomerStreamNamespace, key.ToString()));
            await _stream.OnNextAsync(change);
        }
        catch (Exception ex)
        {
            // Committed regardless; watchers fill the gap from the timeline when the next change arrives.
            LogPublishFailed(ex, key, change.Sequence);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Customer {CustomerKey}: change {Sequence} not published")]
    private partial void LogPublishFailed(Exception exception, CustomerKey customerKey, long sequence);
}
