using Crm.Ingestion;

namespace Crm.Silo.Hosting;

/// <summary>
/// Wakes every ingest partition processor when a silo becomes active, so that events acknowledged before a restart
/// are applied at once rather than at the processors' next reminder.
/// </summary>
internal sealed class IngestProcessorsStarter(IGrainFactory grains, IIngestLog log) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(IngestProcessorsStarter), ServiceLifecycleStage.Active, _ =>
        {
            for (var partition = 0; partition < log.Partitions; partition++)
            {
                grains.GetGrain<IIngestPartitionGrain>(partition).WakeAsync().Ignore();
            }

            return Task.CompletedTask;
        });
}
