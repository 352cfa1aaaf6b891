using Crm.Security;
using Crm.Web.Ingestion;
using Crm.Web.RealTime;
using Orleans.Streams;

namespace Crm.Web.Security;

/// <summary>
/// Takes access away on every web node at once: a disabled user's cached answer and open hub connections, a revoked
/// source's cached write key. The node that revokes applies it itself, then tells the others on the revocations stream;
/// should that signal be lost, the caches' keeping time bounds how long a node could still honour the access.
/// </summary>
public sealed partial class Revocations(
    IClusterClient cluster,
    EnabledAccounts accounts,
    SourceAuthenticator sources,
    HubConnections connections,
    ILogger<Revocations> logger) : BackgroundService, IAsyncObserver<Revocation>
{
    private static readonly TimeSpan SubscribeRetry = TimeSpan.FromSeconds(2);

    private IAsyncStream<Revocation> Stream => cluster.GetStreamProvider(Constants.StreamProvider)
        .GetStream<Revocation>(StreamId.Create(Constants.RevocationStreamNamespace, Constants.RevocationStreamKey));

    public async Task RevokeAsync(Revocation revocation)
    {
        Apply(revocation);
        try
        {
            await Stream.OnNextAsync(revocation);
        }
        catch (Exception ex)
        {
            LogPublishFailed(ex, revocation.Kind, revocation.Id);
        }
    }

    public Task OnNextAsync(Revocation item, StreamSequenceToken? token = null)
    {
        Apply(item);
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Stream.SubscribeAsync(this);
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogSubscribeFailed(ex);
                await Task.Delay(SubscribeRetry, stoppingToken);
            }
        }
    }

    private void Apply(Revocation revocation)
    {
        switch (revocation.Kind)
        {
            case RevocationKind.User:
                accounts.Forget(revocation.TenantId, revocation.Id);
                connections.Close(revocation.TenantId, revocation.Id);
                break;
            case RevocationKind.Source:
                sources.Forget(revocation.Id);
                break;
        }
    }

    [LoggerMessage(LogLevel.Warning, "Telling the other web nodes that {Kind} {Id} was revoked failed; they stop honouring it when their cache expires")]
    private partial void LogPublishFailed(Exception exception, RevocationKind kind, Guid id);

    [LoggerMessage(LogLevel.Warning, "Subscribing to revocations failed; trying again")]
    private partial void LogSubscribeFailed(Exception exception);
}
