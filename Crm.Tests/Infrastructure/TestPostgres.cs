using Npgsql;

namespace Crm.Tests.Infrastructure;

/// <summary>
/// A fresh database on the test server (CRM_TEST_POSTGRES, which ./test.sh sets up), dropped when disposed.
/// PostgreSQL tests fail, rather than skip, without a server: a skipped test proves nothing.
/// </summary>
public sealed class TestPostgres : IAsyncDisposable
{
    private const string Variable = "CRM_TEST_POSTGRES";

    private TestPostgres(string adminConnectionString, string name)
    {
        AdminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    private string AdminConnectionString { get; }

    public static async Task<TestPostgres> CreateAsync()
    {
        var admin = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(admin))
        {
            throw new InvalidOperationException(
                $"{Variable} is not set. Run the tests with ./test.sh, which starts a throwaway PostgreSQL, or set {Variable} to a connection string for a user who may create databases.");
        }

        var database = new TestPostgres(admin, $"crm_test_{Guid.NewGuid():N}");
        await database.ExecuteAdminAsync($"CREATE DATABASE {database.Name}");
        return database;
    }

    public NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(ConnectionString);

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var dataSource = CreateDataSource();
        await using var command = dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAdminAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }

    private async Task ExecuteAdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
