using Crm.Silo.Database;
using Microsoft.Extensions.Hosting;

namespace Crm.Silo.Hosting;

/// <summary>A client-only web node may start before any silo; it needs the project's tables too.</summary>
internal sealed class SchemaMigrationOnClientStart(SchemaMigrator migrator) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => migrator.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
