using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Ingestion;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Benchmarks;

/// <summary>
/// End-to-end ingest on one node on PostgreSQL: concurrent clients post batches of 100 Segment track events to
/// /v1/batch; every answer means the events are durable. Measured: acknowledged events per second and the
/// acknowledgement latency of each batch. Baseline, same run: a raw binary COPY of as many ingest log rows.
/// Targets: at least 10,000 events/s, p99 at most 50 ms, at least a quarter of COPY.
/// </summary>
public static class IngestThroughput
{
    public const int BatchSize = 100;

    public sealed record Result(double EventsPerSecond, double P50Ms, double P99Ms, double CopyRowsPerSecond, int Clients, TimeSpan Duration, long Rejected429);

    public static async Task<Result> RunAsync(string connectionString, TimeSpan duration, int clients = 16)
    {
        await using (var node = await WebNode.StartAsync(connectionString))
        {
            using var http = node.SourceClient();
            // A fresh process spends its first seconds compiling (tiered JIT): measure the node as it runs, not as it starts.
            await DriveAsync(http, TimeSpan.FromSeconds(20), clients, "warmup");
            var (accepted, latencies, rejected) = await DriveAsync(http, duration, clients, "measured");
            var copy = await CopyAsync(connectionString, (int)Math.Min(accepted, 300_000));
            return new Result(accepted / duration.TotalSeconds, Percentiles.Of(latencies, 50), Percentiles.Of(latencies, 99), copy, clients, duration, rejected);
        }
    }

    private static async Task<(long Accepted, List<double> Latencies, long Rejected)> DriveAsync(HttpClient http, TimeSpan duration, int clients, string run)
    {
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long accepted = 0, rejected = 0;
        var perClient = await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
        {
            var latencies = new List<double>();
            for (var request = 0; Stopwatch.GetTimestamp() < stopAt; request++)
            {
                var body = new
                {
                    batch = Enumerable.Range(0, BatchSize).Select(i => new
                    {
                        type = "track",
                        userId = $"shopper-{(client * 7919 + request * BatchSize + i) % 5000}",
                        @event = "Product Viewed",
                        messageId = $"{run}-{client}-{request}-{i}",
                        properties = new { sku = $"SKU-{i % 50}", price = 19.99 },
                    }),
                };
                var started = Stopwatch.GetTimestamp();
                using var response = await http.PostAsJsonAsync("/v1/batch", body);
                if (response.StatusCode == System.Net.HttpStatusCode.TooManyRequests)
                {
                    Interlocked.Increment(ref rejected);
                    await Task.Delay(50);
                    continue;
                }

                response.EnsureSuccessStatusCode();
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Add(ref accepted, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
            }

            return latencies;
        }));
        return (accepted, perClient.SelectMany(l => l).Order().ToList(), rejected);
    }

    /// <summary>The same kind of rows, written the fastest way PostgreSQL offers: one binary COPY.</summary>
    private static async Task<double> CopyAsync(string connectionString, int rows)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var now = DateTimeOffset.UtcNow;
        var events = Enumerable.Range(0, rows).Select(i => new LoggedEvent("bench-copy", new IngestEvent
        {
            MessageId = $"copy-{i}",
            SourceName = "Benchmark",
            Type = IngestEventType.Track,
            UserId = $"shopper-{i % 5000}",
            Name = "Product Viewed",
            Timestamp = now,
            ReceivedAt = now,
            Properties = """{"sku":"SKU-1","price":19.99}""",
        })).Select(e => (Partition: e.PartitionOf(PostgresIngestLog.PartitionCount), e.TenantId, e.Event.MessageId, e.Event.ReceivedAt, Json: JsonSerializer.Serialize(e.Event, json))).ToList();

        var started = Stopwatch.GetTimestamp();
        await using var connection = await dataSource.OpenConnectionAsync();
        await using (var writer = await connection.BeginBinaryImportAsync("COPY crm_ingest_log (partition_no, tenant_id, message_id, received_at, event) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var row in events)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(row.Partition, NpgsqlDbType.Integer);
                await writer.WriteAsync(row.TenantId, NpgsqlDbType.Text);
                await writer.WriteAsync(row.MessageId, NpgsqlDbType.Text);
                await writer.WriteAsync(row.ReceivedAt, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(row.Json, NpgsqlDbType.Jsonb);
            }

            await writer.CompleteAsync();
        }

        return rows / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
