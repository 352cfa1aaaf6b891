using Crm.Silo.Database;
using Microsoft.Extensions.Logging;

namespace Crm.Silo.Hosting;

/// <summary>Starts the identity backfill once the silo is active (it calls customer grains), without holding up the start.</summary>
internal sealed partial class IdentityBackfillOnSiloStart(IdentityBackfill backfill, ILogger<IdentityBackfillOnSiloStart> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(IdentityBackfillOnSiloStart), ServiceLifecycleStage.Active,
            started =>
            {
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await backfill.RunAsync(_stopping.Token);
                    }
                    catch (Exception ex) when (!_stopping.IsCancellationRequested)
                    {
                        LogFailed(ex);
                    }
                });
                return Task.CompletedTask;
            },
            _ =>
            {
                _stopping.Cancel();
                return Task.CompletedTask;
            });

    [LoggerMessage(LogLevel.Error, "Database: the identity backfill failed; it runs again at the next start")]
    private partial void LogFailed(Exception exception);
}
