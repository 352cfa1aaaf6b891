using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Crm.Benchmarks;

// Usage: dotnet run -c Release --project Crm.Benchmarks -- [all|timeline|throughput|ingest|latency|import|search|dedupe|analytics|memory] [--seconds N] [--rows N] [--customers N] [--out PATH]
// "all" writes the results file (docs/benchmarks.md by default); a part writes its section where --out says. ./bench.sh starts a throwaway PostgreSQL and runs "all".
var what = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
var seconds = Option("--seconds", 20);
var output = OptionText("--out", Path.Combine("docs", "benchmarks.md"));
var report = new ResultsReport();

if (what is "all" or "timeline" or "throughput" or "ingest" or "latency" or "import" or "search" or "dedupe")
{
    var connectionString = await BenchmarkDatabase.CreateAsync();
    report.PostgresVersion = await BenchmarkDatabase.ServerVersionAsync(connectionString);
    if (what is "all" or "timeline")
    {
        var config = ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance))
            .WithOptions(ConfigOptions.DisableLogFile);
        report.TimelineAppend = BenchmarkRunner.Run<TimelineAppendBenchmarks>(config);
    }

    if (what is "all" or "throughput")
    {
        report.Throughput = await GrainAppendThroughput.RunAsync(connectionString, TimeSpan.FromSeconds(seconds));
        Console.WriteLine(report.Throughput);
    }

    if (what is "all" or "ingest")
    {
        report.Ingest = await IngestThroughput.RunAsync(await BenchmarkDatabase.CreateAsync(), TimeSpan.FromSeconds(seconds));
        Console.WriteLine(report.Ingest);
    }

    if (what is "all" or "latency")
    {
        report.Latency = await IngestToBrowserLatency.RunAsync(await BenchmarkDatabase.CreateAsync(), TimeSpan.FromSeconds(seconds));
        Console.WriteLine(report.Latency);
    }

    if (what is "all" or "import")
    {
        report.Import = await ImportThroughput.RunAsync(await BenchmarkDatabase.CreateAsync(), Option("--rows", 1_000_000));
        Console.WriteLine(report.Import);
    }

    if (what is "all" or "search")
    {
        report.Search = await CustomerSearchLatency.RunAsync(await BenchmarkDatabase.CreateAsync(), Option("--customers", 1_000_000));
    }

    if (what is "all" or "dedupe")
    {
        report.Dedupe = await DuplicateDetection.RunAsync(await BenchmarkDatabase.CreateAsync(), Option("--customers", 1_000_000));
    }
}

if (what is "all" or "analytics")
{
    report.Analytics = AnalyticsModels.Run(OptionText("--data", "data"));
}

if (what is "all" or "memory")
{
    report.Memory = await GrainActivationMemory.RunAsync();
    Console.WriteLine(report.Memory);
}

if (what == "all" || args.Contains("--out"))
{
    await File.WriteAllTextAsync(output, report.ToMarkdown());
    Console.WriteLine($"Results written to {output}");
}

int Option(string name, int fallback) => int.TryParse(OptionText(name, ""), out var value) ? value : fallback;

string OptionText(string name, string fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}
