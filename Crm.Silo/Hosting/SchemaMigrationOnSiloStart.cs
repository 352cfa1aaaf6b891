using Crm.Silo.Database;

namespace Crm.Silo.Hosting;

/// <summary>Migrates before anything else in the silo starts: Orleans' providers need their tables from the first moment.</summary>
internal sealed class SchemaMigrationOnSiloStart(SchemaMigrator migrator) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SchemaMigrationOnSiloStart), ServiceLifecycleStage.First, migrator.MigrateAsync);
}
