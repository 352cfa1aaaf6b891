using Crm.Silo.Database;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Crm.Benchmarks;

/// <summary>A fresh, migrated database for one benchmark run on the server in CRM_BENCH_POSTGRES (bench.sh starts one).</summary>
public static class BenchmarkDatabase
{
    public const string ServerVariable = "CRM_BENCH_POSTGRES";

    /// <summary>Set for BenchmarkDotNet's child processes: the database this run prepared.</summary>
    public const string DatabaseVariable = "CRM_BENCH_DATABASE";

    public static async Task<string> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable(ServerVariable)
            ?? throw new InvalidOperationException($"{ServerVariable} is not set: run ./bench.sh, or set it to a connection string for a user who may create databases.");
        var name = $"crm_bench_{DateTime.UtcNow:yyyyMMddHHmmss}_{Guid.NewGuid().ToString("N")[..6]}";
        await using (var admin = NpgsqlDataSource.Create(server))
        {
            await using var create = admin.CreateCommand($"CREATE DATABASE {name}");
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        Environment.SetEnvironmentVariable(DatabaseVariable, connectionString);
        return connectionString;
    }

    public static string Current =>
        Environment.GetEnvironmentVariable(DatabaseVariable) ?? throw new InvalidOperationException($"{DatabaseVariable} is not set.");

    public static async Task<string> ServerVersionAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("SHOW server_version");
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
