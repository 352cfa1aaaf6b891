using Crm.Silo.Database;
using Crm.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Crm.Tests.Storage;

public sealed class SchemaMigratorTests : IAsyncLifetime
{
    private TestPostgres _database = null!;
    private NpgsqlDataSource _dataSource = null!;

    public async Task InitializeAsync()
    {
        _database = await TestPostgres.CreateAsync();
        _dataSource = _database.CreateDataSource();
    }

    public async Task DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Nodes_starting_together_migrate_once_between_them_and_later_starts_change_nothing()
    {
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => Migrator().MigrateAsync(CancellationToken.None))));
        var applied = await _database.ScalarAsync<long>("SELECT count(*) FROM crm_schema_migrations");

        await Migrator().MigrateAsync(CancellationToken.None);

        Assert.Equal(SchemaMigrator.MigrationIds.Count, applied);
        Assert.Equal(SchemaMigrator.MigrationIds.Count, await _database.ScalarAsync<long>("SELECT count(*) FROM crm_schema_migrations"));
        Assert.True(await _database.ScalarAsync<bool>("SELECT to_regclass('crm_timeline') IS NOT NULL AND to_regclass('orleansmembershiptable') IS NOT NULL"));
    }

    [Fact]
    public async Task Accepts_orleans_tables_that_were_created_by_hand()
    {
        var main = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "third-party", "orleans-adonet-postgresql", "PostgreSQL-Main.sql"));
        await using (var command = _dataSource.CreateCommand(main))
        {
            await command.ExecuteNonQueryAsync();
        }

        await Migrator().MigrateAsync(CancellationToken.None);

        Assert.Equal(SchemaMigrator.MigrationIds.Count, await _database.ScalarAsync<long>("SELECT count(*) FROM crm_schema_migrations"));
    }

    private SchemaMigrator Migrator() => new(_dataSource, NullLogger<SchemaMigrator>.Instance);
}
