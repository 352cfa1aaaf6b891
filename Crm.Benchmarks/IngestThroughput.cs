using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Ingestion;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Benchmarks;

/// <summary>
/// End-to-end ingest on one node on PostgreSQL: batches of 100 Segment track events posted to /v1/batch; every
/// answer means the events are durable. Measured twice: saturated (concurrent clients each sending their next batch
/// as soon as the last is answered: the most the node acknowledges) and at the target rate (a batch every 10 ms
/// whatever the answers: the latency a steady 10,000 events/s sees). While saturated, how fast the processors apply
/// events to customers' timelines is measured too. Baseline, same run: a raw binary COPY of as many ingest log rows.
/// Targets: at least 10,000 events/s, p99 at most 50 ms, at least a quarter of COPY.
/// </summary>
public static class IngestThroughput
{
    public const int BatchSize = 100;
    public const int TargetEventsPerSecond = 10_000;

    public sealed record Phase(double EventsPerSecond, double P50Ms, double P99Ms, long Rejected429);

    public sealed record Result(Phase Saturated, Phase AtTarget, double AppliedPerSecond, double CopyRowsPerSecond, int Clients, TimeSpan Duration);

    public static async Task<Result> RunAsync(string connectionString, TimeSpan duration, int clients = 16)
    {
        // One source sends everything here: its rate limit would measure the limit, not the node.
        await using var node = await WebNode.StartAsync(connectionString, new Dictionary<string, string> { ["Crm__Ingest__RateLimit__EventsPerSecond"] = "0" });
        using var http = node.SourceClient();
        // A fresh process spends its first seconds compiling (tiered JIT): measure the node as it runs, not as it starts.
        await SaturateAsync(http, TimeSpan.FromSeconds(20), clients, "warmup");
        var appliedBefore = await TimelineRowsAsync(connectionString);
        var started = Stopwatch.GetTimestamp();
        var saturated = await SaturateAsync(http, duration, clients, "saturated");
        var applied = (await TimelineRowsAsync(connectionString) - appliedBefore) / Stopwatch.GetElapsedTime(started).TotalSeconds;
        await WaitUntilAppliedAsync(connectionString);
        var atTarget = await AtTargetRateAsync(http, duration);
        var copy = await CopyAsync(connectionString, (int)Math.Min(saturated.EventsPerSecond * duration.TotalSeconds, 300_000));
        return new Result(saturated, atTarget, applied, copy, clients, duration);
    }

    private static async Task<Phase> SaturateAsync(HttpClient http, TimeSpan duration, int clients, string run)
    {
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long accepted = 0, rejected = 0;
        var perClient = await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
        {
            var latencies = new List<double>();
            for (var request = 0; Stopwatch.GetTimestamp() < stopAt; request++)
            {
                var started = Stopwatch.GetTimestamp();
                var (ok, count) = await PostBatchAsync(http, $"{run}-{client}-{request}", client * 7919 + request * BatchSize);
                if (!ok)
                {
                    Interlocked.Increment(ref rejected);
                    await Task.Delay(50);
                    continue;
                }

                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Add(ref accepted, count);
            }

            return latencies;
        }));
        var sorted = perClient.SelectMany(l => l).Order().ToList();
        return new Phase(accepted / duration.TotalSeconds, Percentiles.Of(sorted, 50), Percentiles.Of(sorted, 99), rejected);
    }

    private static async Task<Phase> AtTargetRateAsync(HttpClient http, TimeSpan duration)
    {
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        long accepted = 0, rejected = 0;
        var batchesPerTick = Math.Max(1, OpenLoad.PerTick(TargetEventsPerSecond) / BatchSize);
        await OpenLoad.RunAsync(duration, async n =>
        {
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(0, batchesPerTick).Select(async b =>
            {
                var (ok, count) = await PostBatchAsync(http, $"target-{n}-{b}", (n * batchesPerTick + b) * BatchSize);
                if (ok)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    Interlocked.Add(ref accepted, count);
                }
                else
                {
                    Interlocked.Increment(ref rejected);
                }
            }));
        });
        var sorted = latencies.Order().ToList();
        return new Phase(accepted / duration.TotalSeconds, Percentiles.Of(sorted, 50), Percentiles.Of(sorted, 99), rejected);
    }

    /// <returns>Whether the node took the batch (false: 429, busy), and how many events it accepted.</returns>
    private static async Task<(bool Ok, int Accepted)> PostBatchAsync(HttpClient http, string batchId, int firstShopper)
    {
        var body = new
        {
            batch = Enumerable.Range(0, BatchSize).Select(i => new
            {
                type = "track",
                userId = $"shopper-{(firstShopper + i) % 5000}",
                @event = "Product Viewed",
                messageId = $"{batchId}-{i}",
                properties = new { sku = $"SKU-{i % 50}", price = 19.99 },
            }),
        };
        using var response = await http.PostAsJsonAsync("/v1/batch", body);
        if (response.StatusCode == System.Net.HttpStatusCode.TooManyRequests)
        {
            return (false, 0);
        }

        response.EnsureSuccessStatusCode();
        return (true, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
    }

    /// <summary>Every tracked event becomes one timeline row: the rows are the events applied so far.</summary>
    private static async Task<long> TimelineRowsAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var count = dataSource.CreateCommand("SELECT count(*) FROM crm_timeline WHERE tenant_id = 'bench'");
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>Lets the processors finish the backlog, so that the next phase measures ingest, not catch-up.</summary>
    private static async Task WaitUntilAppliedAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var logged = dataSource.CreateCommand("SELECT count(*) FROM crm_ingest_events WHERE tenant_id = 'bench'");
        var total = (long)(await logged.ExecuteScalarAsync())!;
        var deadline = Stopwatch.GetTimestamp() + 300 * Stopwatch.Frequency;
        while (await TimelineRowsAsync(connectionString) < total && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(1000);
        }
    }

    /// <summary>The same kind of rows, written the fastest way PostgreSQL offers: one binary COPY.</summary>
    private static async Task<double> CopyAsync(string connectionString, int rows)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var now = DateTimeOffset.UtcNow;
        var source = new Crm.Security.Actor(Guid.NewGuid().ToString(), "Benchmark");
        var events = Enumerable.Range(0, rows).Select(i =>
        {
            // The same message the HTTP phases send, read the same way.
            var message = JsonSerializer.SerializeToElement(new
            {
                type = "track",
                userId = $"shopper-{i % 5000}",
                @event = "Product Viewed",
                messageId = $"copy-{i}",
                properties = new { sku = $"SKU-{i % 50}", price = 19.99 },
            });
            var logged = new LoggedEvent("bench-copy", SegmentMessages.Read(message, null, source, now).Event!);
            return (Partition: logged.PartitionOf(PostgresIngestLog.PartitionCount), logged.TenantId, logged.Event.MessageId, logged.Event.ReceivedAt, Payload: IngestEventJson.Serialize(logged.Event));
        }).ToList();

        var started = Stopwatch.GetTimestamp();
        await using var connection = await dataSource.OpenConnectionAsync();
        await using (var writer = await connection.BeginBinaryImportAsync("COPY crm_ingest_events (partition_no, tenant_id, message_id, received_at, payload) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var row in events)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(row.Partition, NpgsqlDbType.Integer);
                await writer.WriteAsync(row.TenantId, NpgsqlDbType.Text);
                await writer.WriteAsync(row.MessageId, NpgsqlDbType.Text);
                await writer.WriteAsync(row.ReceivedAt, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(row.Payload, NpgsqlDbType.Bytea);
            }

            await writer.CompleteAsync();
        }

        return rows / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
