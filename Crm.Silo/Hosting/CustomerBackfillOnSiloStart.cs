using Crm.Silo.Database;
using Microsoft.Extensions.Logging;

namespace Crm.Silo.Hosting;

/// <summary>Starts the customer backfill once the silo is active (it calls customer grains), without holding up the start.</summary>
internal sealed partial class CustomerBackfillOnSiloStart(CustomerBackfill backfill, ILogger<CustomerBackfillOnSiloStart> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(CustomerBackfillOnSiloStart), ServiceLifecycleStage.Active,
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

    [LoggerMessage(LogLevel.Error, "Database: the customer backfill failed; it runs again at the next start")]
    private partial void LogFailed(Exception exception);
}
