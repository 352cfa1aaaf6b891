using System.Diagnostics;
using Crm.Analytics;

namespace Crm.Benchmarks;

/// <summary>
/// The analytics models trained on the public data sets (data/) as the CLI and the tenants' jobs train them: how long
/// training takes (median of a few runs), how fast a trained model scores, and what each measured. Baseline, same run:
/// reading the same rows from the file without scoring them.
/// </summary>
public static class AnalyticsModels
{
    private const int Runs = 3;
    private const int ScoringPasses = 10;

    public sealed record Result(
        int Invoices, int Buyers, double SegmentTrainingSeconds, ValueSegmentModel Segments,
        int ChurnCustomers, double ChurnTrainingSeconds, ChurnReport Churn,
        double ScoringRowsPerSecond, double ReadingRowsPerSecond,
        int Sentences, double SentimentTrainingSeconds, SentimentReport Sentiment);

    public static Result Run(string dataDirectory)
    {
        var (orders, _) = RetailInvoice.ReadOrders(Path.Combine(dataDirectory, "online-retail-invoices.csv"));
        var asOf = new DateTimeOffset(orders.Max(o => o.At).Date.AddDays(1), TimeSpan.Zero);
        var buyers = Rfm.Of(orders, asOf);
        var (segmentSeconds, segments) = Median(() => ValueSegmentTrainer.Train(buyers));
        Console.WriteLine($"Value segments: k = {segments.K}, silhouette {segments.Fit.Silhouette:0.000}, trained in {segmentSeconds:0.00} s");

        var telco = Path.Combine(dataDirectory, "telco-churn.csv");
        var customers = TelcoCustomer.Read(telco).ToList();
        var (churnSeconds, churn) = Median(() => ChurnTrainer.Train(customers, TimeProvider.System));
        Console.WriteLine($"Churn: {churn.Report.Trainer}, held-out ROC AUC {churn.Report.HeldOut.RocAuc:0.000}, trained in {churnSeconds:0.0} s");

        var reading = Stopwatch.StartNew();
        var read = 0;
        for (var pass = 0; pass < ScoringPasses; pass++)
        {
            read += TelcoCustomer.Read(telco).Count();
        }

        reading.Stop();
        var scoring = Stopwatch.StartNew();
        var scored = 0;
        for (var pass = 0; pass < ScoringPasses; pass++)
        {
            foreach (var batch in TelcoCustomer.Read(telco).Chunk(10_000))
            {
                scored += churn.Score(batch).Count();
            }
        }

        scoring.Stop();
        var sentences = Directory.GetFiles(Path.Combine(dataDirectory, "sentiment"), "*.txt").Order()
            .SelectMany(SentimentText.Read).Where(l => l.Labelled).Select(l => l.Text).ToList();
        var (sentimentSeconds, sentiment) = Median(() => SentimentModel.Train(sentences, TimeProvider.System));
        Console.WriteLine($"Sentiment: {sentiment.Report.Trainer}, held-out accuracy {sentiment.Report.Accuracy:0.000}, trained in {sentimentSeconds:0.0} s");
        return new Result(orders.Count, buyers.Count, segmentSeconds, segments, customers.Count, churnSeconds, churn.Report,
            scored / scoring.Elapsed.TotalSeconds, read / reading.Elapsed.TotalSeconds, sentences.Count, sentimentSeconds, sentiment.Report);
    }

    private static (double Seconds, T Last) Median<T>(Func<T> train)
    {
        var seconds = new List<double>();
        T last = default!;
        for (var run = 0; run < Runs; run++)
        {
            var watch = Stopwatch.StartNew();
            last = train();
            seconds.Add(watch.Elapsed.TotalSeconds);
        }

        return (seconds.Order().ElementAt(Runs / 2), last);
    }
}
