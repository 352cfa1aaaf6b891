using System.Diagnostics;
using Npgsql;

namespace Crm.Benchmarks;

/// <summary>How far the benchmark tenant's events got: logged (acknowledged) and applied (every tracked event becomes one timeline row).</summary>
public sealed class IngestProgress(string connectionString) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _database = NpgsqlDataSource.Create(connectionString);

    public async Task<(long Logged, long Applied)> CountAsync()
    {
        await using var count = _database.CreateCommand(
            "SELECT (SELECT count(*) FROM crm_ingest_events WHERE tenant_id = 'bench'), (SELECT count(*) FROM crm_timeline WHERE tenant_id = 'bench')");
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>Lets the processors finish the backlog, so that the next phase measures ingest, not catch-up.</summary>
    public async Task WaitUntilAppliedAsync()
    {
        var deadline = Stopwatch.GetTimestamp() + 300 * Stopwatch.Frequency;
        while ((await CountAsync()) is var (logged, applied) && applied < logged && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(1000);
        }
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}
