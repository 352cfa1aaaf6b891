using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using BenchmarkDotNet.Reports;

namespace Crm.Benchmarks;

/// <summary>Writes one run's results, with the machine and the date, as docs/benchmarks.md.</summary>
public sealed class ResultsReport
{
    public string? PostgresVersion { get; set; }

    public Summary? TimelineAppend { get; set; }

    public GrainAppendThroughput.Result? Throughput { get; set; }

    public GrainActivationMemory.Result? Memory { get; set; }

    public IngestThroughput.Result? Ingest { get; set; }

    public IngestToBrowserLatency.Result? Latency { get; set; }

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine("# Benchmarks");
        md.AppendLine();
        md.AppendLine("Written by `./bench.sh` (which runs `dotnet run -c Release --project Crm.Benchmarks -- all` against a throwaway PostgreSQL).");
        md.AppendLine("Machines are noisy: compare ratios and medians, measured in the same run, rather than absolute numbers across runs.");
        md.AppendLine();
        md.AppendLine("## Machine");
        md.AppendLine();
        md.AppendLine($"- Date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine($"- CPU: {Environment.ProcessorCount} logical cores ({RuntimeInformation.ProcessArchitecture}), shared by the application and PostgreSQL");
        md.AppendLine($"- Memory: {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB");
        md.AppendLine($"- OS: {RuntimeInformation.OSDescription}");
        md.AppendLine($"- .NET: {RuntimeInformation.FrameworkDescription}");
        md.AppendLine($"- PostgreSQL: {PostgresVersion ?? "n/a"} (local, default durability settings: fsync on)");
        md.AppendLine();
        AppendTimeline(md);
        AppendThroughput(md);
        AppendIngest(md);
        AppendLatency(md);
        AppendMemory(md);
        return md.ToString();
    }

    private void AppendTimeline(StringBuilder md)
    {
        if (TimelineAppend is null)
        {
            return;
        }

        md.AppendLine("## Timeline append latency by timeline length (BenchmarkDotNet)");
        md.AppendLine();
        md.AppendLine("One interaction appended to a customer's PostgreSQL timeline that already holds N of its interactions.");
        md.AppendLine("`StoreAppend` is `PostgresTimelineStore.AppendAsync`; `RawInsert` (baseline) is a bare Npgsql INSERT of the same row into the same table.");
        md.AppendLine("**Target: the store's medians within 20% of each other.**");
        md.AppendLine();
        md.AppendLine("| existing interactions | StoreAppend median | RawInsert median | store / raw |");
        md.AppendLine("|---:|---:|---:|---:|");
        var rows = TimelineAppend.Reports
            .GroupBy(r => Convert.ToInt32(r.BenchmarkCase.Parameters["ExistingInteractions"], CultureInfo.InvariantCulture))
            .OrderBy(g => g.Key)
            .Select(g => (Existing: g.Key, Store: Median(g, "StoreAppend"), Raw: Median(g, "RawInsert")))
            .ToList();
        foreach (var row in rows)
        {
            md.AppendLine($"| {row.Existing:N0} | {Ms(row.Store)} | {Ms(row.Raw)} | {row.Store / row.Raw:0.00} |");
        }

        var spread = rows.Max(r => r.Store) / rows.Min(r => r.Store) - 1;
        md.AppendLine();
        md.AppendLine($"Largest store median over smallest: +{spread * 100:0}% ({(spread <= 0.20 ? "meets" : "misses")} the 20% target).");
        md.AppendLine();
    }

    private void AppendThroughput(StringBuilder md)
    {
        if (Throughput is not { } t)
        {
            return;
        }

        md.AppendLine("## Appends per second through customer grains into PostgreSQL (driver)");
        md.AppendLine();
        md.AppendLine($"{t.Concurrency} concurrent callers append interactions to {t.Customers} customers for {t.Duration.TotalSeconds:0} s through `ICustomerGrain.AddInteractionAsync`, in a silo configured as in durable mode: each call returns once its timeline row is committed (rows from all grains are group-committed), and each grain writes its counters behind. The raw baselines insert the same rows into the same table with Npgsql, in the same run.");
        md.AppendLine();
        md.AppendLine("| path | rows/s | p50 | p99 | vs. grain |");
        md.AppendLine("|---|---:|---:|---:|---:|");
        md.AppendLine($"| grain append (timeline row committed, state written behind) | {t.GrainAppendsPerSecond:N0} | {t.GrainP50Ms:0.0} ms | {t.GrainP99Ms:0.0} ms | 1.00 |");
        md.AppendLine($"| raw INSERT, 1 row per transaction, {t.Concurrency} connections | {t.RawSingleRowsPerSecond:N0} | | | {t.RawSingleRowsPerSecond / t.GrainAppendsPerSecond:0.00} |");
        md.AppendLine($"| raw INSERT, 100 rows per transaction, 8 connections | {t.RawBatchedRowsPerSecond:N0} | | | {t.RawBatchedRowsPerSecond / t.GrainAppendsPerSecond:0.00} |");
        md.AppendLine();
        md.AppendLine($"Grain appends reach {t.GrainAppendsPerSecond / t.RawSingleRowsPerSecond * 100:0}% of single-row raw INSERTs and {t.GrainAppendsPerSecond / t.RawBatchedRowsPerSecond * 100:0}% of batched ones.");
        md.AppendLine();
    }

    private void AppendIngest(StringBuilder md)
    {
        if (Ingest is not { } i)
        {
            return;
        }

        md.AppendLine("## Ingest: acknowledged events per second (driver)");
        md.AppendLine();
        md.AppendLine($"Crm.Web runs as its own process on PostgreSQL and clients post batches of {IngestThroughput.BatchSize} Segment track events to `/v1/batch`; each answer means its events are committed to the ingest log (group commit). The processors apply them to customers at the same time, on the same two cores. After a 20 s warm-up, two phases of {i.Duration.TotalSeconds:0} s: *saturated*, {i.Clients} clients each sending the next batch as soon as the last is answered (the most the node acknowledges; latency then is mostly queueing, {i.Clients * IngestThroughput.BatchSize:N0} events in flight), and *at the target rate*, a batch every 10 ms whatever the answers (the latency a steady {IngestThroughput.TargetEventsPerSecond:N0} events/s sees). Baseline: a raw binary COPY of as many ingest log rows, in the same run.");
        md.AppendLine("**Targets: at least 10,000 events/s, p99 acknowledgement at most 50 ms, at least a quarter of COPY.**");
        md.AppendLine();
        md.AppendLine("| | events/s | p50 | p99 | answered 429 |");
        md.AppendLine("|---|---:|---:|---:|---:|");
        md.AppendLine($"| /v1/batch, saturated | {i.Saturated.EventsPerSecond:N0} | {i.Saturated.P50Ms:0.0} ms | {i.Saturated.P99Ms:0.0} ms | {i.Saturated.Rejected429:N0} |");
        md.AppendLine($"| /v1/batch, at {IngestThroughput.TargetEventsPerSecond:N0} events/s | {i.AtTarget.EventsPerSecond:N0} | {i.AtTarget.P50Ms:0.0} ms | {i.AtTarget.P99Ms:0.0} ms | {i.AtTarget.Rejected429:N0} |");
        md.AppendLine($"| applied to timelines while saturated | {i.AppliedPerSecond:N0} | | | |");
        md.AppendLine($"| raw COPY into crm_ingest_log (baseline) | {i.CopyRowsPerSecond:N0} | | | |");
        md.AppendLine();
        md.AppendLine($"Saturated ingest reaches {i.Saturated.EventsPerSecond / i.CopyRowsPerSecond * 100:0}% of COPY. Against the targets: {Verdict(i.Saturated.EventsPerSecond >= IngestThroughput.TargetEventsPerSecond)} {IngestThroughput.TargetEventsPerSecond:N0} events/s, {Verdict(i.AtTarget.P99Ms <= 50)} p99 ≤ 50 ms at that rate, {Verdict(i.Saturated.EventsPerSecond >= i.CopyRowsPerSecond / 4)} a quarter of COPY. The processors apply {i.AppliedPerSecond:N0} events/s meanwhile: above that rate the ingest log is a backlog that they work off afterwards, which is what it is for.");
        md.AppendLine();
    }

    private void AppendLatency(StringBuilder md)
    {
        if (Latency is not { } l)
        {
            return;
        }

        md.AppendLine("## Ingest to browser: from HTTP accepted to SignalR received (driver)");
        md.AppendLine();
        md.AppendLine($"Segment track events for {l.Customers} customers are sent at {l.EventsPerSecond:N0} events/s (batches every 10 ms) to a Crm.Web process on PostgreSQL while a SignalR client watches those customers. Each event's latency runs from the acknowledgement of its batch to the arrival of its `interactionAdded`.");
        md.AppendLine("**Targets at 2,000 events/s: p50 at most 20 ms, p99 at most 100 ms.**");
        md.AppendLine();
        md.AppendLine("| events/s | delivered | p50 | p99 |");
        md.AppendLine("|---:|---:|---:|---:|");
        md.AppendLine($"| {l.EventsPerSecond:N0} | {l.Delivered:N0} of {l.Sent:N0} | {l.P50Ms:0.0} ms | {l.P99Ms:0.0} ms |");
        md.AppendLine();
        md.AppendLine($"Against the targets: {Verdict(l.P50Ms <= 20)} p50 ≤ 20 ms, {Verdict(l.P99Ms <= 100)} p99 ≤ 100 ms.");
        md.AppendLine();
    }

    private static string Verdict(bool met) => met ? "meets" : "misses";

    private void AppendMemory(StringBuilder md)
    {
        if (Memory is not { } m)
        {
            return;
        }

        md.AppendLine("## Memory per activated customer grain (driver)");
        md.AppendLine();
        md.AppendLine($"{m.Activations:N0} customers with a typical profile and an empty timeline are created, deactivated, then activated again in an embedded-mode silo; the managed heap after full collections is compared before and after. Baseline: the same grain states held in a plain list.");
        md.AppendLine("**Target: at most 10 KB per activation.**");
        md.AppendLine();
        md.AppendLine("| | bytes per customer |");
        md.AppendLine("|---|---:|");
        md.AppendLine($"| activated grain (grain, state, Orleans bookkeeping) | {m.BytesPerActivation:N0} |");
        md.AppendLine($"| plain state object (baseline) | {m.BytesPerPlainState:N0} |");
        md.AppendLine();
        md.AppendLine($"{m.BytesPerActivation / 1024:0.0} KB per activation ({(m.BytesPerActivation <= 10 * 1024 ? "meets" : "misses")} the 10 KB target), {m.BytesPerActivation / m.BytesPerPlainState:0.0}× the bare state.");
        md.AppendLine();
    }

    private static double Median(IEnumerable<BenchmarkReport> reports, string method) =>
        reports.Single(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method).ResultStatistics!.Median;

    private static string Ms(double nanoseconds) => $"{nanoseconds / 1_000_000:0.000} ms";
}
