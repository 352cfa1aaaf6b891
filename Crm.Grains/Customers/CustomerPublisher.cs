using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Crm.Customers;

/// <summary>
/// Publishes a customer's changes on its stream while a web node watches it: a watch is a lease that nodes renew. A
/// customer nobody watches publishes nothing, which keeps bulk ingest cheap; a new activation publishes for one lease
/// unasked, so that watches from before it was deactivated carry on until renewed.
/// </summary>
internal sealed partial class CustomerPublisher(IGrainBase grain, CustomerKey key, TimeProvider time, TimeSpan lease, ILogger logger)
{
    private IAsyncStream<CustomerEvent>? _stream;
    private DateTimeOffset _until = time.GetUtcNow() + lease;

    public void Renew() => _until = time.GetUtcNow() + lease;

    public async Task PublishAsync(CustomerEvent change)
    {
        if (time.GetUtcNow() > _until)
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
