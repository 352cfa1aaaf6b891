using System.Diagnostics;
using Crm.Customers;
using Crm.Security;
using Crm.Timeline;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Crm.Benchmarks;

/// <summary>
/// Interactions appended per second through customer grains into PostgreSQL (timeline row and grain state, each
/// committed before the call returns), from many concurrent callers, next to raw Npgsql INSERTs of the same rows
/// into the same table measured in the same run: batched 100 rows per transaction (the physical limit), and one
/// row per transaction (what a durable single-interaction append can at best be).
/// </summary>
public static class GrainAppendThroughput
{
    public sealed record Result(
        double GrainAppendsPerSecond, double GrainP50Ms, double GrainP99Ms,
        double RawBatchedRowsPerSecond, double RawSingleRowsPerSecond,
        int Customers, int Concurrency, TimeSpan Duration);

    public static async Task<Result> RunAsync(string connectionString, TimeSpan duration, int customers = 512, int concurrency = 64)
    {
        using var host = await BenchmarkSilo.StartAsync(connectionString);
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var actor = new Actor("bench", "Benchmark");
        var keys = Enumerable.Range(0, customers).Select(i => new CustomerKey("bench-grain", $"c{i}")).ToArray();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (key, _) =>
            await grains.GetGrain<ICustomerGrain>(key.ToString()).CreateAsync(new CustomerProfile { DisplayName = key.CustomerId }, actor));

        await DriveAsync(TimeSpan.FromSeconds(3), concurrency, worker => Append(grains, keys, worker, concurrency, actor));
        var (count, latencies) = await DriveAsync(duration, concurrency, worker => Append(grains, keys, worker, concurrency, actor));
        await host.StopAsync();
        NpgsqlConnection.ClearAllPools();

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var batched = await RawInsertsAsync(dataSource, duration, connections: 8, rowsPerTransaction: 100, "bench-raw-batched");
        var single = await RawInsertsAsync(dataSource, duration, connections: concurrency, rowsPerTransaction: 1, "bench-raw-single");
        return new Result(
            count / duration.TotalSeconds,
            Percentiles.Of(latencies, 50),
            Percentiles.Of(latencies, 99),
            batched,
            single,
            customers,
            concurrency,
            duration);
    }

    private static Func<Task> Append(IGrainFactory grains, CustomerKey[] keys, int worker, int workers, Actor actor)
    {
        var next = worker;
        return async () =>
        {
            var key = keys[next % keys.Length];
            next += workers;
            await grains.GetGrain<ICustomerGrain>(key.ToString()).AddInteractionAsync(new NewInteraction
            {
                Channel = InteractionChannel.Call,
                OccurredAt = DateTimeOffset.UtcNow,
                Agent = actor,
                Subject = "Order status",
                Body = "Customer asked about the status of their order and the delivery window.",
                DurationSeconds = 120,
                Outcome = "resolved",
            });
        };
    }

    /// <summary>Runs the operation in a loop on each worker for the duration; counts completions and their latencies (ms).</summary>
    private static async Task<(long Count, List<double> Latencies)> DriveAsync(TimeSpan duration, int workers, Func<int, Func<Task>> operationFor)
    {
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var perWorker = await Task.WhenAll(Enumerable.Range(0, workers).Select(async worker =>
        {
            var operation = operationFor(worker);
            var latencies = new List<double>();
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                var started = Stopwatch.GetTimestamp();
                await operation();
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            return latencies;
        }));
        var all = perWorker.SelectMany(l => l).Order().ToList();
        return (all.Count, all);
    }

    private static async Task<double> RawInsertsAsync(NpgsqlDataSource dataSource, TimeSpan duration, int connections, int rowsPerTransaction, string tenant)
    {
        var (transactions, _) = await DriveAsync(duration, connections, worker =>
        {
            var customer = new CustomerKey(tenant, $"w{worker}");
            long sequence = 0;
            var values = string.Join(",", Enumerable.Range(0, rowsPerTransaction).Select(i =>
                $"($1, $2, ${3 + i * 3}, ${4 + i * 3}, 'call', 'inbound', ${5 + i * 3}, now(), 'Order status', 'Customer asked about the status of their order and the delivery window.', 120, 'resolved')"));
            var sql = $"""
                INSERT INTO crm_timeline (tenant_id, customer_id, sequence, interaction_id, channel, direction, occurred_at, recorded_at, subject, body, duration_seconds, outcome)
                VALUES {values}
                """;
            return async () =>
            {
                await using var insert = dataSource.CreateCommand(sql);
                insert.Parameters.AddWithValue(customer.TenantId);
                insert.Parameters.AddWithValue(customer.CustomerId);
                for (var i = 0; i < rowsPerTransaction; i++)
                {
                    insert.Parameters.AddWithValue(++sequence);
                    insert.Parameters.AddWithValue(Guid.CreateVersion7());
                    insert.Parameters.AddWithValue(DateTimeOffset.UtcNow);
                }

                await insert.ExecuteNonQueryAsync();
            };
        });
        return transactions * rowsPerTransaction / duration.TotalSeconds;
    }
}
