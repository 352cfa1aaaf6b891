using Microsoft.Extensions.Logging;
using Npgsql;

namespace Crm.Silo.Database;

/// <summary>
/// Brings the database schema up to date: Orleans' vendor scripts, then the project's migrations, each once,
/// each in its own transaction. An advisory lock makes nodes that start together take turns.
/// </summary>
public sealed partial class SchemaMigrator(NpgsqlDataSource dataSource, ILogger<SchemaMigrator> logger)
{
    // Any constant unique to this application; all nodes must use the same one.
    private const long MigrationLockId = 0x43524D5F534348; // "CRM_SCH"

    /// <summary>
    /// In order. Orleans' scripts are not written to be re-run, so each has a table that tells whether
    /// it was applied before, by us or by hand.
    /// </summary>
    private static readonly Migration[] Migrations =
    [
        new("orleans-main", "PostgreSQL-Main.sql", ExistingTable: "orleansquery"),
        new("orleans-clustering", "PostgreSQL-Clustering.sql", ExistingTable: "orleansmembershiptable"),
        new("orleans-persistence", "PostgreSQL-Persistence.sql", ExistingTable: "orleansstorage"),
        new("orleans-reminders", "PostgreSQL-Reminders.sql", ExistingTable: "orleansremindertable"),
        new("0001-crm-core", "0001-crm-core.sql"),
        new("0002-ingestion", "0002-ingestion.sql"),
        new("0003-timeline-event-type", "0003-timeline-event-type.sql"),
        new("0004-ingest-by-person", "0004-ingest-by-person.sql"),
        new("0005-identity-index", "0005-identity-index.sql"),
        new("0006-import-files", "0006-import-files.sql"),
        new("0007-ingest-parked", "0007-ingest-parked.sql"),
        new("0008-customer-segment-fields", "0008-customer-segment-fields.sql"),
        new("0009-duplicates-and-merges", "0009-duplicates-and-merges.sql"),
        new("0010-match-keys-by-key", "0010-match-keys-by-key.sql"),
        new("0011-customer-list-projection-4", "0011-customer-list-projection-4.sql"),
        new("0012-customers-by-created", "0012-customers-by-created.sql"),
        new("0013-customer-typo-keys", "0013-customer-typo-keys.sql"),
        new("0014-customer-activity-order", "0014-customer-activity-order.sql"),
        new("0015-customer-value-segment", "0015-customer-value-segment.sql"),
    ];

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({MigrationLockId})", cancellationToken);
        try
        {
            await ExecuteAsync(connection, """
                CREATE TABLE IF NOT EXISTS crm_schema_migrations (
                    id text PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, cancellationToken);
            foreach (var migration in Migrations)
            {
                await ApplyAsync(connection, migration, cancellationToken);
            }
        }
        finally
        {
            await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({MigrationLockId})", CancellationToken.None);
        }
    }

    private async Task ApplyAsync(NpgsqlConnection connection, Migration migration, CancellationToken cancellationToken)
    {
        await using (var applied = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM crm_schema_migrations WHERE id = $1)", connection))
        {
            applied.Parameters.AddWithValue(migration.Id);
            if ((bool)(await applied.ExecuteScalarAsync(cancellationToken))!)
            {
                return;
            }
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (migration.ExistingTable is { } table && await TableExistsAsync(connection, table, cancellationToken))
        {
            LogFoundApplied(migration.Id, table);
        }
        else
        {
            LogApplying(migration.Id);
            await ExecuteAsync(connection, ReadScript(migration.Script), cancellationToken);
        }

        await using (var record = new NpgsqlCommand("INSERT INTO crm_schema_migrations (id) VALUES ($1)", connection))
        {
            record.Parameters.AddWithValue(migration.Id);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task<bool> TableExistsAsync(NpgsqlConnection connection, string table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection);
        command.Parameters.AddWithValue(table);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string ReadScript(string name)
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        using var stream = assembly.GetManifestResourceStream($"Crm.Silo.Database.Scripts.{name}")
            ?? throw new InvalidOperationException($"Migration script {name} is not embedded in {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Every migration, in the order applied.</summary>
    public static IReadOnlyList<string> MigrationIds { get; } = [.. Migrations.Select(m => m.Id)];

    private sealed record Migration(string Id, string Script, string? ExistingTable = null);

    [LoggerMessage(LogLevel.Information, "Database: applying {MigrationId}")]
    private partial void LogApplying(string migrationId);

    [LoggerMessage(LogLevel.Information, "Database: {MigrationId} was applied before (table {Table} exists)")]
    private partial void LogFoundApplied(string migrationId, string table);
}
