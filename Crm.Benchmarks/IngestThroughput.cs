using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Ingestion;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Benchmarks;

/// <summary>
/// End-to-end ingest on one node on PostgreSQL: batches of 100 Segment track events posted to /v1/batch; every answer
/// means the events are durable, and the processors apply them to customers at the same time on the same cores.
/// Phases, after a warm-up: *saturated* (concurrent clients each sending their next batch as soon as the last is
/// answered), where the acknowledged and the applied rate and the backlog between them are measured while a second
/// tenant sends single events; and *at the target rate* (a batch every 10 ms whatever the answers), for the latency
/// and the GC pauses a steady 10,000 events/s sees. The second tenant is also measured alone, as its baseline.
/// Baseline for the rates, same run: a raw binary COPY of as many ingest log rows.
/// </summary>
public static class IngestThroughput
{
    public const int BatchSize = 100;
    public const int TargetEventsPerSecond = 10_000;
    public const int TargetSustainedPerSecond = 15_000;

    /// <summary>The other tenant sends one event per batch, a batch every tick.</summary>
    public const int QuietEventsPerSecond = 100;

    public sealed record Latency(double P50Ms, double P99Ms, int Answers)
    {
        public static Latency Of(IEnumerable<double> latencies)
        {
            var sorted = latencies.Order().ToList();
            return new Latency(Percentiles.Of(sorted, 50), Percentiles.Of(sorted, 99), sorted.Count);
        }
    }

    /// <param name="BacklogGrowthPerSecond">Events acknowledged and not yet applied, added per second: 0 when the processors keep up.</param>
    /// <param name="GcPauseMsPerSecond">Milliseconds per second the node's garbage collector held every thread.</param>
    public sealed record Phase(
        double AckedPerSecond,
        double AppliedPerSecond,
        double BacklogGrowthPerSecond,
        Latency Ack,
        long Rejected429,
        double GcPauseMsPerSecond,
        double LongestGcPauseMs,
        int[] GcPausesByGeneration);

    public sealed record Result(Phase Saturated, Phase AtTarget, Latency QuietAlone, Latency QuietDuringFlood, double CopyRowsPerSecond, int Clients, TimeSpan Duration)
    {
        /// <summary>
        /// The rate the node acknowledges and applies with no backlog growing: what the processors applied while
        /// acknowledgements took all the CPU they could (a floor), or the target rate when they kept up with it.
        /// </summary>
        public double SustainedPerSecond => Math.Max(
            Math.Min(Saturated.AckedPerSecond, Saturated.AppliedPerSecond),
            AtTarget.BacklogGrowthPerSecond <= AtTarget.AckedPerSecond * 0.01 ? AtTarget.AckedPerSecond : 0);
    }

    public static async Task<Result> RunAsync(string connectionString, TimeSpan duration, int clients = 16)
    {
        string quietKey;
        await using (var quietTenant = await WebNode.StartAsync(connectionString, tenant: "quiet"))
        {
            quietKey = quietTenant.WriteKey;
        }

        // One source sends everything here: its rate limit would measure the limit, not the node.
        await using var node = await WebNode.StartAsync(connectionString, new Dictionary<string, string> { ["Crm__Ingest__RateLimit__EventsPerSecond"] = "0" });
        await using var gc = GcPauses.Watch(node.ProcessId);
        await using var log = new IngestProgress(connectionString);
        using var http = node.SourceClient();
        using var quiet = node.SourceClient(quietKey);

        // A fresh process spends its first seconds compiling: measure the node as it runs, not as it starts.
        await SaturateAsync(http, TimeSpan.FromSeconds(20), clients, "warmup");
        await log.WaitUntilAppliedAsync();
        var quietAlone = await QuietAsync(quiet, TimeSpan.FromSeconds(10), "alone");

        var flood = await MeasureAsync(log, gc, async () =>
        {
            var quietDuring = QuietAsync(quiet, duration, "flood");
            var saturated = await SaturateAsync(http, duration, clients, "saturated");
            return (saturated, await quietDuring);
        });
        await log.WaitUntilAppliedAsync();
        var atTarget = await MeasureAsync(log, gc, async () => (await AtTargetRateAsync(http, duration), true));
        var copy = await CopyAsync(connectionString, (int)Math.Min(flood.Phase.AckedPerSecond * duration.TotalSeconds, 300_000));
        return new Result(flood.Phase, atTarget.Phase, quietAlone, flood.Extra, copy, clients, duration);
    }

    private static async Task<(Phase Phase, T Extra)> MeasureAsync<T>(IngestProgress log, GcPauses gc, Func<Task<((Latency Ack, long Accepted, long Rejected) Load, T Extra)>> run)
    {
        var before = await log.CountAsync();
        var startedAt = DateTime.UtcNow;
        var started = Stopwatch.GetTimestamp();
        var (load, extra) = await run();
        var after = await log.CountAsync();
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var endedAt = DateTime.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(2));
        var pauses = gc.Between(startedAt, endedAt);
        var logged = after.Logged - before.Logged;
        var applied = after.Applied - before.Applied;
        return (new Phase(load.Accepted / seconds, applied / seconds, (logged - applied) / seconds, load.Ack, load.Rejected, pauses.MsPerSecond, pauses.LongestMs, pauses.ByGeneration), extra);
    }

    private static async Task<(Latency Ack, long Accepted, long Rejected)> SaturateAsync(HttpClient http, TimeSpan duration, int clients, string run)
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
        return (Latency.Of(perClient.SelectMany(l => l)), accepted, rejected);
    }

    private static async Task<(Latency Ack, long Accepted, long Rejected)> AtTargetRateAsync(HttpClient http, TimeSpan duration)
    {
        var latencies = new ConcurrentBag<double>();
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
        return (Latency.Of(latencies), accepted, rejected);
    }

    /// <summary>The other tenant: a single-event batch every tick, as a web site's visitors send them.</summary>
    private static async Task<Latency> QuietAsync(HttpClient quiet, TimeSpan duration, string run)
    {
        var latencies = new ConcurrentBag<double>();
        await OpenLoad.RunAsync(duration, async n =>
        {
            var started = Stopwatch.GetTimestamp();
            var body = new { batch = new[] { new { type = "track", userId = $"visitor-{n % 200}", @event = "Page Viewed", messageId = $"quiet-{run}-{n}" } } };
            using var response = await quiet.PostAsJsonAsync("/v1/batch", body);
            response.EnsureSuccessStatusCode();
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        });
        return Latency.Of(latencies);
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
