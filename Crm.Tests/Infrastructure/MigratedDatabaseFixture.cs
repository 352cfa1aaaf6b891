using Crm.Silo.Database;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Crm.Tests.Infrastructure;

/// <summary>A fresh database with the whole schema applied, shared by the tests of a class.</summary>
public sealed class MigratedDatabaseFixture : IAsyncLifetime
{
    public TestPostgres Database { get; private set; } = null!;

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestPostgres.CreateAsync();
        DataSource = Database.CreateDataSource();
        await new SchemaMigrator(DataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await Database.DisposeAsync();
    }
}
