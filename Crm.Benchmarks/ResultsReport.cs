using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using BenchmarkDotNet.Reports;
using Crm.Duplicates;

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

    public ImportThroughput.Result? Import { get; set; }

    public CustomerSearchLatency.Result? Search { get; set; }

    public DuplicateDetection.Result? Dedupe { get; set; }

    public AnalyticsModels.Result? Analytics { get; set; }

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
        AppendImport(md);
        AppendSearch(md);
        AppendDedupe(md);
        AppendAnalytics(md);
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

        md.AppendLine("## Ingest: events acknowledged and applied per second (driver)");
        md.AppendLine();
        md.AppendLine($"Crm.Web runs as its own process on PostgreSQL and clients post batches of {IngestThroughput.BatchSize} Segment track events (5,000 shoppers) to `/v1/batch`; each answer means its events are committed to the ingest log (group commit). The processors apply them to customers (timeline row, profile, counters) at the same time, on the same two cores. After a 20 s warm-up, two phases of {i.Duration.TotalSeconds:0} s: *saturated*, {i.Clients} clients each sending the next batch as soon as the last is answered (latency then is mostly queueing, {i.Clients * IngestThroughput.BatchSize:N0} events in flight), and *at the target rate*, a batch every 10 ms whatever the answers. *Applied* counts timeline rows written in the phase; the *backlog* is what was acknowledged and not yet applied. GC pauses are read from the node's runtime events over EventPipe. Baseline: a raw binary COPY of as many ingest log rows, in the same run. The source's rate limit is off: it would measure the limit, not the node.");
        md.AppendLine($"**Targets: sustained (acknowledged and applied, no backlog growing) at least {IngestThroughput.TargetSustainedPerSecond:N0} events/s and at least 40% of COPY; p99 acknowledgement at most 50 ms at a steady {IngestThroughput.TargetEventsPerSecond:N0} events/s.**");
        md.AppendLine();
        md.AppendLine("| phase | acknowledged/s | applied/s | backlog growth/s | ack p50 | ack p99 | GC pause | longest GC pause | GCs (gen 0/1/2) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        Row("saturated", i.Saturated);
        Row($"at {IngestThroughput.TargetEventsPerSecond:N0} events/s", i.AtTarget);
        md.AppendLine($"| raw COPY into crm_ingest_events (baseline) | {i.CopyRowsPerSecond:N0} | | | | | | | |");
        md.AppendLine();
        var sustained = i.SustainedPerSecond;
        md.AppendLine($"Sustained: {sustained:N0} events/s acknowledged and applied ({sustained / i.CopyRowsPerSecond * 100:0}% of COPY); the node acknowledges up to {i.Saturated.AckedPerSecond:N0} events/s ({i.Saturated.AckedPerSecond / i.CopyRowsPerSecond * 100:0}% of COPY), the excess waiting in the ingest log as a backlog the processors work off afterwards. Against the targets: {Verdict(sustained >= IngestThroughput.TargetSustainedPerSecond)} {IngestThroughput.TargetSustainedPerSecond:N0} events/s sustained, {Verdict(sustained >= i.CopyRowsPerSecond * 0.4)} 40% of COPY, {Verdict(i.AtTarget.Ack.P99Ms <= 50)} p99 ≤ 50 ms at {IngestThroughput.TargetEventsPerSecond:N0} events/s.");
        md.AppendLine();
        md.AppendLine("### Another tenant while one floods");
        md.AppendLine();
        md.AppendLine($"A second tenant sends one event per batch, {IngestThroughput.QuietEventsPerSecond} batches a second, alone (baseline, the node idle) and during the saturated phase above.");
        md.AppendLine();
        md.AppendLine("| other tenant | answers | p50 | p99 |");
        md.AppendLine("|---|---:|---:|---:|");
        md.AppendLine($"| alone | {i.QuietAlone.Answers:N0} | {i.QuietAlone.P50Ms:0.0} ms | {i.QuietAlone.P99Ms:0.0} ms |");
        md.AppendLine($"| while one tenant floods at saturation | {i.QuietDuringFlood.Answers:N0} | {i.QuietDuringFlood.P50Ms:0.0} ms | {i.QuietDuringFlood.P99Ms:0.0} ms |");
        md.AppendLine();
        md.AppendLine($"The flood raises the other tenant's p99 {i.QuietDuringFlood.P99Ms / i.QuietAlone.P99Ms:0.0}× (p50 {i.QuietDuringFlood.P50Ms / i.QuietAlone.P50Ms:0.0}×). With the default per-source limit (5,000 events/s, burst 20,000) a flood from one write key is answered 429 beyond it, which this phase switches off.");
        md.AppendLine();

        void Row(string name, IngestThroughput.Phase p) =>
            md.AppendLine($"| {name} | {p.AckedPerSecond:N0} | {p.AppliedPerSecond:N0} | {p.BacklogGrowthPerSecond:N0} | {p.Ack.P50Ms:0.0} ms | {p.Ack.P99Ms:0.0} ms | {p.GcPauseMsPerSecond:0.0} ms/s | {p.LongestGcPauseMs:0.0} ms | {string.Join(" / ", p.GcPausesByGeneration)} |");
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
        md.AppendLine("**Targets at 2,000 events/s: p50 at most 10 ms, p99 at most 50 ms.**");
        md.AppendLine();
        md.AppendLine("| events/s | delivered | p50 | p99 |");
        md.AppendLine("|---:|---:|---:|---:|");
        md.AppendLine($"| {l.EventsPerSecond:N0} | {l.Delivered:N0} of {l.Sent:N0} | {l.P50Ms:0.0} ms | {l.P99Ms:0.0} ms |");
        md.AppendLine();
        md.AppendLine($"Against the targets: {Verdict(l.P50Ms <= 10)} p50 ≤ 10 ms, {Verdict(l.P99Ms <= 50)} p99 ≤ 50 ms.");
        md.AppendLine();
    }

    private void AppendImport(StringBuilder md)
    {
        if (Import is not { } i)
        {
            return;
        }

        md.AppendLine("## Import: a CSV of customers until every row is applied and searchable (driver)");
        md.AppendLine();
        md.AppendLine("Telco-shaped customers (the columns of telco-churn.csv, with a name and an email; 9 columns mapped to the external id, name, email and 6 attributes) are uploaded to `POST /api/imports` of a Crm.Web process on PostgreSQL, from a file on disk. Time runs from the first byte of the upload until the import is completed and every customer is in the customer list. Peak memory is the node's peak resident set (VmHWM) over the whole run, at a tenth of the rows and at all of them. Baseline, same run: a raw `COPY … FROM STDIN (FORMAT csv)` of the same file into a table of the same columns.");
        md.AppendLine($"**Targets: at least {ImportThroughput.TargetRowsPerSecond:N0} rows/s and at least 25% of COPY; peak memory flat in the file's size.**");
        md.AppendLine();
        md.AppendLine("| rows | file | time | rows/s | peak memory of the node |");
        md.AppendLine("|---:|---:|---:|---:|---:|");
        foreach (var run in new[] { i.Small, i.Large })
        {
            md.AppendLine($"| {run.Rows:N0} | {run.FileBytes / (1024.0 * 1024):0.0} MiB | {run.Seconds:0.0} s | {run.RowsPerSecond:N0} | {run.PeakMemoryMiB:N0} MiB |");
        }

        md.AppendLine($"| raw COPY of the {i.Large.Rows:N0} rows (baseline) | | | {i.CopyRowsPerSecond:N0} | |");
        md.AppendLine();
        var growth = i.Large.PeakMemoryMiB / i.Small.PeakMemoryMiB;
        md.AppendLine($"The import applies {i.Large.RowsPerSecond:N0} rows/s ({i.Large.RowsPerSecond / i.CopyRowsPerSecond * 100:0.0}% of COPY); {i.Large.Rows / i.Small.Rows}× the rows take {growth:0.00}× the peak memory. Against the targets: {Verdict(i.Large.RowsPerSecond >= ImportThroughput.TargetRowsPerSecond)} {ImportThroughput.TargetRowsPerSecond:N0} rows/s, {Verdict(i.Large.RowsPerSecond >= i.CopyRowsPerSecond * 0.25)} 25% of COPY, {Verdict(growth <= 1.25)} flat memory (within 25%).");
        md.AppendLine();
    }

    private static string Verdict(bool met) => met ? "meets" : "misses";

    private void AppendSearch(StringBuilder md)
    {
        if (Search is not { } s)
        {
            return;
        }

        md.AppendLine("## Search and segments over a million customers (driver)");
        md.AppendLine();
        md.AppendLine($"One tenant's customer list of {s.Customers:N0} rows in PostgreSQL (written by SQL as the list holds them, in {s.FillSeconds:0} s with its indexes), queried through `PostgresCustomerDirectory` one query after another, with random inputs. Baseline, same run: one row read by its primary key.");
        md.AppendLine("**Target: p95 at most 50 ms for search, with and without filters.**");
        md.AppendLine();
        md.AppendLine("| query | p50 | p95 | p95 / baseline |");
        md.AppendLine("|---|---:|---:|---:|");
        foreach (var q in s.Queries.Append(s.Baseline))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {q.Name} | {q.P50Ms:0.0} ms | {q.P95Ms:0.0} ms | {q.P95Ms / s.Baseline.P95Ms:0.0} |");
        }

        md.AppendLine();
        var over = s.Queries.Where(q => q.IsSearch && q.P95Ms > 50).ToList();
        md.AppendLine(over.Count == 0
            ? "Every search's p95 meets the 50 ms target."
            : $"Searches over the 50 ms target at p95: {string.Join("; ", over.Select(q => $"{q.Name} ({q.P95Ms:0} ms)"))}.");
        md.AppendLine($"Counts read every customer a rule may hold (no target; the live counts recount when a customer enters or leaves a segment, at most every 2 s and at least five times their own time apart): {string.Join("; ", s.Queries.Where(q => !q.IsSearch).Select(q => $"{q.Name} {q.P95Ms:N0} ms"))}.");
        md.AppendLine();
    }

    private void AppendDedupe(StringBuilder md)
    {
        if (Dedupe is not { } d)
        {
            return;
        }

        const double mib = 1024 * 1024;
        md.AppendLine("## Duplicate detection (driver)");
        md.AppendLine();
        md.AppendLine($"One tenant's {d.Customers:N0} customers in PostgreSQL (written through `PostgresCustomerDirectory` as the grains write them, in {d.FillSeconds:0} s), {d.Planted:N0} of them planted duplicates of another (a typo in the given name, the same phone, no email), among names drawn from {DuplicateDetection.GivenNames} given and {DuplicateDetection.FamilyNames} family names, so that namesakes abound. A full scan as the duplicates grain runs it: {d.Rounds:N0} rounds of {DuplicateCheck.ScanPerRound:N0} customers, each finding candidates by blocking key in SQL, scoring them under the default rules and storing the pairs. The grain leaves 200 ms between rounds for live traffic, which this leaves out. Baseline, same run: paging through the tenant's ids alone.");
        md.AppendLine();
        md.AppendLine("| measure | value |");
        md.AppendLine("|---|---:|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| full scan | {d.ScanSeconds:0.0} s ({d.Customers / d.ScanSeconds:N0} customers/s) |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| a round of {DuplicateCheck.ScanPerRound:N0} customers, p50 / p95 | {d.RoundP50Ms:0} ms / {d.RoundP95Ms:0} ms |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| raw: paging the ids alone (baseline) | {d.BaselineSeconds:0.0} s; scan / baseline {d.ScanSeconds / d.BaselineSeconds:0} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| pairs kept (score ≥ 0.5, the queue) | {d.PairsKept:N0} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| planted duplicates found (recall) | {d.PlantedFound:N0} of {d.Planted:N0} ({d.Recall:P1}) |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| process working set before the scan → its peak during it | {d.WorkingSetBeforeBytes / mib:N0} MiB → {d.PeakWorkingSetBytes / mib:N0} MiB |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| managed heap at its peak during the scan | {d.PeakHeapBytes / mib:N0} MiB |");
        md.AppendLine();
        md.AppendLine("A scan holds one round at a time (a thousand customers and at most a hundred candidates each), whatever the tenant's size.");
        md.AppendLine();
    }

    private void AppendAnalytics(StringBuilder md)
    {
        if (Analytics is not { } a)
        {
            return;
        }

        var churn = a.Churn;
        var held = churn.HeldOut;
        md.AppendLine("## Analytics models on the public data sets (driver)");
        md.AppendLine();
        md.AppendLine($"Trained in process as `analytics segment`, `churn-train` and `sentiment-train` train them, on data/ (see its README); training times are the median of three runs. Baseline for scoring, same run: reading the same rows from the CSV file without scoring them.");
        md.AppendLine();
        md.AppendLine("| model | data | training | measured | target |");
        md.AppendLine("|---|---|---:|---|---|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| value segments (RFM, KMeans k = 2..10) | {a.Invoices:N0} invoices, {a.Buyers:N0} customers who bought | {a.SegmentTrainingSeconds:0.00} s | k = {a.Segments.K}, silhouette {a.Segments.Fit.Silhouette:0.000}, Davies–Bouldin {a.Segments.Fit.DaviesBouldin:0.000} | k by silhouette |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| churn ({churn.Trainer}, chosen by 5-fold cross-validation) | {a.ChurnCustomers:N0} customers, {held.Rows:N0} held out | {a.ChurnTrainingSeconds:0.0} s | held-out ROC AUC {held.RocAuc:0.000} (contract type alone {held.BaselineRocAuc:0.000}), PR AUC {held.PrAuc:0.000}, F1 {held.F1:0.000} at {churn.Threshold:0.000}, Brier {held.Brier:0.000} | ROC AUC ≥ 0.85 |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| sentiment ({a.Sentiment.Trainer} logistic regression on text features, chosen by 5-fold cross-validation) | {a.Sentences:N0} labelled sentences, {a.Sentiment.HeldOutRows:N0} held out | {a.SentimentTrainingSeconds:0.0} s | held-out accuracy {a.Sentiment.Accuracy:0.000} (the commoner label alone {a.Sentiment.BaselineAccuracy:0.000}), F1 {a.Sentiment.F1:0.000}, ROC AUC {a.Sentiment.RocAuc:0.000} | accuracy and F1 reported |");
        md.AppendLine();
        md.AppendLine("| cross-validated trainer | metric | mean | deviation |");
        md.AppendLine("|---|---|---:|---:|");
        foreach (var (model, metric, trainer) in churn.CrossValidated.Select(t => ("churn", "ROC AUC", t)).Concat(a.Sentiment.CrossValidated.Select(t => ("sentiment", "accuracy", t))))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {model}: {trainer.Trainer} | {metric} | {trainer.Mean:0.000} | {trainer.Deviation:0.000} |");
        }

        md.AppendLine();
        md.AppendLine("| value segment | customers | mean days since last order | mean orders | mean spent |");
        md.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var cluster in a.Segments.Clusters.OrderByDescending(c => c.Size))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {cluster.Name} | {cluster.Size:N0} | {cluster.MeanRecencyDays:0} | {cluster.MeanFrequency:0.0} | {cluster.MeanMonetary:N2} |");
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Batch churn scoring: {a.ScoringRowsPerSecond:N0} customers/s, reading the file included; reading alone {a.ReadingRowsPerSecond:N0} rows/s (scoring / reading {a.ScoringRowsPerSecond / a.ReadingRowsPerSecond:0.00}).");
        md.AppendLine();
        md.AppendLine("| held-out churn probability | customers | mean predicted | observed churn |");
        md.AppendLine("|---|---:|---:|---:|");
        foreach (var bin in held.Reliability.Where(b => b.Count > 0))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {bin.From:0.0}–{bin.To:0.0} | {bin.Count:N0} | {bin.MeanPredicted:0.000} | {bin.Observed:0.000} |");
        }

        md.AppendLine();
    }

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
