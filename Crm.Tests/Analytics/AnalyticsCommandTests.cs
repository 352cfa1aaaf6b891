using System.Globalization;
using Crm.Tests.Infrastructure;
using Crm.Web.Analytics;

namespace Crm.Tests.Analytics;

[Collection(ModelTrainingCollection.Name)]
public sealed class AnalyticsCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("crm-analytics-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Segments_the_retail_invoices_and_writes_every_buying_customer_with_its_numbers()
    {
        var invoices = Path.Combine(Repository.Root, "data", "online-retail-invoices.csv");
        var segments = Path.Combine(_directory, "segments.csv");
        var (output, error) = (new StringWriter(), new StringWriter());

        var exit = await AnalyticsCommand.RunAsync(["analytics", "segment", "--input", invoices, "--output", segments], output, error);

        Assert.True(exit == 0, error.ToString());
        Assert.Matches(@"k = \d+, silhouette 0\.\d{3}", output.ToString());
        var lines = await File.ReadAllLinesAsync(segments);
        Assert.Equal("customerId,segment,recency,frequency,monetary", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        // Every customer with an order once; those with only cancellations bought nothing.
        var buyers = File.ReadLines(invoices).Skip(1).Select(l => l.Split(',')).Where(f => !f[0].StartsWith('C') && f[2] != "(blank)").Select(f => f[2]).ToHashSet();
        Assert.Matches(@"\(\d{4} without a customer skipped\)", output.ToString());
        Assert.Equal(buyers.Order(), rows.Select(r => r[0]).Order());
        var byName = rows.GroupBy(r => r[1]).ToDictionary(g => g.Key, g => g.Select(r => r[2..].Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList());
        Assert.InRange(byName.Count, 2, 10);
        foreach (var name in byName.Keys)
        {
            Assert.Contains($"  {name}: {byName[name].Count} customers", output.ToString());
        }

        if (byName.TryGetValue("Champions", out var champions) && byName.TryGetValue("Lost", out var lost))
        {
            Assert.True(champions.Average(c => c[0]) < lost.Average(c => c[0]));
            Assert.True(champions.Average(c => c[1]) > lost.Average(c => c[1]));
            Assert.True(champions.Average(c => c[2]) > lost.Average(c => c[2]));
        }
    }

    [Fact]
    public async Task Says_how_it_is_used_and_what_is_wrong_with_a_file()
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        Assert.Equal(2, await AnalyticsCommand.RunAsync(["analytics", "segment", "--input"], output, error));
        Assert.Contains("Usage:", error.ToString());

        var bad = Path.Combine(_directory, "bad.csv");
        await File.WriteAllTextAsync(bad, "InvoiceNo,InvoiceDate,CustomerID,Country,Quantity,UnitPrice\n1,12/1/2010 8:26,17850,United Kingdom,4,3.5\n2,yesterday,17851,United Kingdom,4,3.5\n");
        error = new StringWriter();
        Assert.Equal(1, await AnalyticsCommand.RunAsync(["analytics", "segment", "--input", bad, "--output", Path.Combine(_directory, "out.csv")], output, error));
        Assert.Contains("Row 3: InvoiceDate 'yesterday'", error.ToString());

        // Empty, the wrong columns, too few of a kind to measure, a missing input, an output over the input, the wrong kind of model.
        var empty = Path.Combine(_directory, "empty.csv");
        await File.WriteAllTextAsync(empty, "");
        var telco = Path.Combine(Repository.Root, "data", "telco-churn.csv");
        var fewChurners = Path.Combine(_directory, "few.csv");
        await File.WriteAllLinesAsync(fewChurners, File.ReadLines(telco).Where((l, i) => i == 0 || !l.EndsWith(",Yes", StringComparison.Ordinal)).Take(200).Append(File.ReadLines(telco).First(l => l.EndsWith(",Yes", StringComparison.Ordinal))));
        var sentiment = Path.Combine(_directory, "sentiment.zip");
        Assert.Equal(0, await AnalyticsCommand.RunAsync(["analytics", "sentiment-train", "--input", Path.Combine(Repository.Root, "data", "sentiment", "yelp_labelled.txt"), "--model", sentiment, "--folds", "2"], output, error));
        string[][] refused =
        [
            ["analytics", "segment", "--input", empty, "--output", Path.Combine(_directory, "a.csv")],
            ["analytics", "churn-train", "--input", bad, "--model", Path.Combine(_directory, "b.zip")],
            ["analytics", "churn-train", "--input", fewChurners, "--model", Path.Combine(_directory, "c.zip")],
            ["analytics", "churn-score", "--model", sentiment, "--input", telco, "--output", Path.Combine(_directory, "d.csv")],
            ["analytics", "sentiment-score", "--model", sentiment, "--input", Path.Combine(_directory, "missing.txt"), "--output", Path.Combine(_directory, "e.csv")],
            ["analytics", "sentiment-score", "--model", sentiment, "--input", bad, "--output", bad],
        ];
        foreach (var command in refused)
        {
            error = new StringWriter();
            Assert.True(await AnalyticsCommand.RunAsync(command, output, error) == 1, string.Join(' ', command));
            Assert.False(string.IsNullOrWhiteSpace(error.ToString()), string.Join(' ', command));
            Assert.DoesNotContain("   at ", error.ToString());
        }

        Assert.Contains("yesterday", await File.ReadAllTextAsync(bad));
        Assert.False(File.Exists(Path.Combine(_directory, "e.csv")));
    }

    [Fact]
    public async Task Trains_a_churn_model_prints_its_metrics_and_scores_every_row_with_or_without_the_churn_column()
    {
        var telco = Path.Combine(Repository.Root, "data", "telco-churn.csv");
        var model = Path.Combine(_directory, "churn.zip");
        var withoutChurn = Path.Combine(_directory, "to-score.csv");
        await File.WriteAllLinesAsync(withoutChurn, File.ReadLines(telco).Select(l => l[..l.LastIndexOf(',')]));
        var (output, error) = (new StringWriter(), new StringWriter());

        var trained = await AnalyticsCommand.RunAsync(["analytics", "churn-train", "--input", telco, "--model", model, "--folds", "2"], output, error);

        Assert.True(trained == 0, error.ToString());
        var auc = double.Parse(System.Text.RegularExpressions.Regex.Match(output.ToString(), @"Held out: ROC AUC (0\.\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(auc >= 0.80, output.ToString());
        Assert.Contains("Reliability", output.ToString());
        foreach (var input in new[] { telco, withoutChurn })
        {
            var scores = Path.Combine(_directory, "scores.csv");
            Assert.Equal(0, await AnalyticsCommand.RunAsync(["analytics", "churn-score", "--model", model, "--input", input, "--output", scores], output, error));
            var lines = await File.ReadAllLinesAsync(scores);
            Assert.Equal("customerID,churnProbability", lines[0]);
            Assert.Equal(File.ReadLines(telco).Skip(1).Select(l => l[..l.IndexOf(',')]), lines.Skip(1).Select(l => l.Split(',')[0]));
            Assert.All(lines.Skip(1), l => Assert.InRange(double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture), 0, 1));
        }
    }

    [Fact]
    public async Task Trains_a_sentiment_model_on_both_files_and_scores_every_line_labelled_or_not()
    {
        var sentiment = Path.Combine(Repository.Root, "data", "sentiment");
        var model = Path.Combine(_directory, "sentiment.zip");
        var texts = Path.Combine(_directory, "texts.txt");
        await File.WriteAllLinesAsync(texts, ["I love it, thank you!\t1", "The worst support I have ever had.", "", "Fine, I guess"]);
        var (output, error) = (new StringWriter(), new StringWriter());

        var trained = await AnalyticsCommand.RunAsync(
            ["analytics", "sentiment-train", "--input", Path.Combine(sentiment, "amazon_cells_labelled.txt"), "--input", Path.Combine(sentiment, "yelp_labelled.txt"), "--model", model, "--folds", "2"],
            output, error);
        var scoresFile = Path.Combine(_directory, "sentiment.csv");
        var scored = await AnalyticsCommand.RunAsync(["analytics", "sentiment-score", "--model", model, "--input", texts, "--output", scoresFile], output, error);

        Assert.True(trained == 0 && scored == 0, error.ToString());
        Assert.Contains("2000 labelled sentences", output.ToString());
        Assert.Matches(@"Held out: accuracy 0\.[789]\d\d", output.ToString());
        var lines = await File.ReadAllLinesAsync(scoresFile);
        Assert.Equal("line,text,positiveProbability", lines[0]);
        Assert.Equal(["1", "2", "3", "4"], lines.Skip(1).Select(l => l.Split(',')[0]));
        Assert.StartsWith("1,\"I love it, thank you!\",", lines[1]);
        var probabilities = lines.Skip(1).Select(l => double.Parse(l[(l.LastIndexOf(',') + 1)..], CultureInfo.InvariantCulture)).ToList();
        Assert.True(probabilities[0] > 0.5 && probabilities[1] < 0.5, string.Join(", ", probabilities));
    }
}
