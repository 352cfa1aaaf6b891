using System.Globalization;
using Crm.Analytics;
using Crm.Web.Api;
using Crm.Web.Hosting;
using CsvHelper;

namespace Crm.Web.Analytics;

/// <summary>
/// The analytics, offline, with the same training as a tenant's: value segments of a file of invoices, and a churn
/// model trained on, and scoring, files of telco-shaped customers.
/// </summary>
public static class AnalyticsCommand
{
    public const string Usage = """
        Usage:
          dotnet run --project Crm.Web -- analytics segment --input <invoices.csv> --output <segments.csv>
          dotnet run --project Crm.Web -- analytics churn-train --input <customers.csv> --model <model.zip> [--folds 5]
          dotnet run --project Crm.Web -- analytics churn-score --model <model.zip> --input <customers.csv> --output <scores.csv>
          dotnet run --project Crm.Web -- analytics sentiment-train --input <sentences.tsv> [--input <more.tsv>] --model <model.zip> [--folds 5]
          dotnet run --project Crm.Web -- analytics sentiment-score --model <model.zip> --input <texts.txt> --output <scores.csv>
        segment reads the columns of online-retail-invoices.csv (InvoiceNo, InvoiceDate as M/D/YYYY H:MM, CustomerID,
        Quantity, UnitPrice) and writes customerId,segment,recency,frequency,monetary for each customer who bought.
        churn-train and churn-score read the columns of telco-churn.csv (churn-score ignores a Churn column);
        churn-score writes customerID,churnProbability for every input row.
        sentiment-train reads lines of text<TAB>label (1 positive, 0 negative); sentiment-score reads one text per line,
        a label after a tab ignored, and writes line,text,positiveProbability for every line.
        """;

    /// <summary>Customers scored at a time: a file of any size is read, scored and written in batches.</summary>
    private const int ScoreBatch = 10_000;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var (input, outputPath, model) = (args.Option("--input"), args.Option("--output"), args.Option("--model"));
        Func<Task<int>>? command = args.ElementAtOrDefault(1) switch
        {
            "segment" when input is not null && outputPath is not null => () => SegmentAsync(input, outputPath, output, error),
            "churn-train" when input is not null && model is not null && Folds(args) is { } folds => () => TrainChurnAsync(input, model, folds, output),
            "churn-score" when input is not null && model is not null && outputPath is not null => () => ScoreChurnAsync(model, input, outputPath, output),
            "sentiment-train" when input is not null && model is not null && Folds(args) is { } sentimentFolds => () => TrainSentimentAsync(args.Options("--input"), model, sentimentFolds, output),
            "sentiment-score" when input is not null && model is not null && outputPath is not null => () => ScoreSentimentAsync(model, input, outputPath, output),
            _ => null,
        };
        if (command is null)
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }

        try
        {
            return await command();
        }
        // A missing column is a KeyNotFoundException from the CSV reader; an unusable path, an ArgumentException.
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CsvFormatException or InvalidDataException or InvalidOperationException
            or KeyNotFoundException or ArgumentException)
        {
            await error.WriteLineAsync(ex.Message);
            return 1;
        }
    }

    private static int? Folds(string[] args) =>
        args.Option("--folds") is not { } folds ? 5 : int.TryParse(folds, CultureInfo.InvariantCulture, out var n) && n is >= 2 and <= 10 ? n : null;

    private static async Task<int> SegmentAsync(string input, string outputPath, TextWriter output, TextWriter error)
    {
        var (orders, skipped) = RetailInvoice.ReadOrders(CommandLine.FilePath(input));
        if (orders.Count == 0)
        {
            await error.WriteLineAsync($"{input} holds no invoice with a customer.");
            return 1;
        }

        // As of the day after the last invoice, as an analysis of the file on the day it was exported would be.
        var asOf = orders.Max(o => o.At).Date.AddDays(1);
        var customers = Rfm.Of(orders, new DateTimeOffset(asOf, TimeSpan.Zero));
        var model = ValueSegmentTrainer.Train(customers);
        await WriteAsync(CommandLine.FilePath(outputPath), customers, model);

        await output.WriteLineAsync(Invariant($"{customers.Count} customers from {orders.Count} invoices ({skipped} without a customer skipped), as of {asOf:yyyy-MM-dd}."));
        await output.WriteLineAsync(Invariant($"k = {model.K}, silhouette {model.Fit.Silhouette:0.000}, Davies–Bouldin {model.Fit.DaviesBouldin:0.000} (best silhouette of k = {ValueSegmentTrainer.MinK}..{model.Tried[^1].K})"));
        foreach (var cluster in model.Clusters.OrderByDescending(c => c.Size))
        {
            await output.WriteLineAsync(Invariant($"  {cluster.Name}: {cluster.Size} customers, last order {cluster.MeanRecencyDays:0} days ago, {cluster.MeanFrequency:0.0} orders, {cluster.MeanMonetary:0.00} spent (means)"));
        }

        await output.WriteLineAsync($"Wrote {outputPath}.");
        return 0;
    }

    private static async Task<int> TrainChurnAsync(string input, string modelPath, int folds, TextWriter output)
    {
        var customers = TelcoCustomer.Read(CommandLine.FilePath(input)).ToList();
        var model = ChurnTrainer.Train(customers, TimeProvider.System, folds);
        await using (var file = File.Create(CommandLine.FilePath(modelPath)))
        {
            model.Save(file);
        }

        var report = model.Report;
        var held = report.HeldOut;
        await output.WriteLineAsync(Invariant($"{customers.Count} customers, {customers.Count(c => c.Churned)} churned; {report.TrainingRows} to train on, {held.Rows} held out."));
        await output.WriteLineAsync(Invariant($"Cross-validated ROC AUC ({folds} folds):"));
        foreach (var trainer in report.CrossValidated)
        {
            await output.WriteLineAsync(Invariant($"  {trainer.Trainer}: {trainer.Mean:0.000} ± {trainer.Deviation:0.000}{(trainer.Trainer == report.Trainer ? "  (chosen)" : "")}"));
        }

        await output.WriteLineAsync(Invariant($"Held out: ROC AUC {held.RocAuc:0.000} (contract type alone: {held.BaselineRocAuc:0.000}), PR AUC {held.PrAuc:0.000}, Brier {held.Brier:0.000}"));
        await output.WriteLineAsync(Invariant($"At threshold {report.Threshold:0.000}: F1 {held.F1:0.000}, precision {held.Precision:0.000}, recall {held.Recall:0.000}"));
        await output.WriteLineAsync("Reliability (predicted → observed churn):");
        foreach (var bin in held.Reliability.Where(b => b.Count > 0))
        {
            await output.WriteLineAsync(Invariant($"  {bin.From:0.0}–{bin.To:0.0}: {bin.Count,4} customers, predicted {bin.MeanPredicted:0.000}, observed {bin.Observed:0.000}"));
        }

        await output.WriteLineAsync($"Wrote {modelPath}.");
        return 0;
    }

    private static async Task<int> ScoreChurnAsync(string modelPath, string input, string outputPath, TextWriter output)
    {
        var (inputFile, outputFile) = ScoringFiles(input, outputPath);
        ChurnModel model;
        await using (var file = File.OpenRead(CommandLine.FilePath(modelPath)))
        {
            model = ChurnModel.Load(file);
        }

        await using var scores = File.Create(outputFile);
        await using var csv = CsvWriter.Create(scores, CsvOutput.Options, leaveOpen: true);
        csv.WriteField("customerID");
        csv.WriteField("churnProbability");
        csv.EndRecord();
        var scored = 0;
        foreach (var batch in TelcoCustomer.Read(inputFile).Chunk(ScoreBatch))
        {
            foreach (var (customer, probability) in batch.Zip(model.Score(batch)))
            {
                csv.WriteField(customer.CustomerId);
                csv.WriteField(probability.ToString("0.0000", CultureInfo.InvariantCulture));
                csv.EndRecord();
            }

            scored += batch.Length;
        }

        await csv.FlushAsync();
        await output.WriteLineAsync(Invariant($"Scored {scored} customers with the {model.Report.Trainer} model of {model.Report.TrainedAt:yyyy-MM-dd}; wrote {outputPath}."));
        return 0;
    }


    private static async Task<int> TrainSentimentAsync(IReadOnlyList<string> inputs, string modelPath, int folds, TextWriter output)
    {
        var lines = inputs.SelectMany(input => SentimentText.Read(CommandLine.FilePath(input))).ToList();
        var sentences = lines.Where(l => l.Labelled).Select(l => l.Text).ToList();
        var model = SentimentModel.Train(sentences, TimeProvider.System, folds);
        await using (var file = File.Create(CommandLine.FilePath(modelPath)))
        {
            model.Save(file);
        }

        var report = model.Report;
        await output.WriteLineAsync(Invariant($"{sentences.Count} labelled sentences ({lines.Count - sentences.Count} lines without a label left out); {report.TrainingRows} to train on, {report.HeldOutRows} held out."));
        await output.WriteLineAsync(Invariant($"Cross-validated accuracy ({folds} folds):"));
        foreach (var trainer in report.CrossValidated)
        {
            await output.WriteLineAsync(Invariant($"  {trainer.Trainer}: {trainer.Mean:0.000} ± {trainer.Deviation:0.000}{(trainer.Trainer == report.Trainer ? "  (chosen)" : "")}"));
        }

        await output.WriteLineAsync(Invariant($"Held out: accuracy {report.Accuracy:0.000} (the commoner label alone: {report.BaselineAccuracy:0.000}), F1 {report.F1:0.000}, ROC AUC {report.RocAuc:0.000}"));
        await output.WriteLineAsync($"Wrote {modelPath}.");
        return 0;
    }

    private static async Task<int> ScoreSentimentAsync(string modelPath, string input, string outputPath, TextWriter output)
    {
        var (inputFile, outputFile) = ScoringFiles(input, outputPath);
        SentimentModel model;
        await using (var file = File.OpenRead(CommandLine.FilePath(modelPath)))
        {
            model = SentimentModel.Load(file);
        }

        await using var scores = File.Create(outputFile);
        await using var csv = CsvWriter.Create(scores, CsvOutput.Options, leaveOpen: true);
        foreach (var header in new[] { "line", "text", "positiveProbability" })
        {
            csv.WriteField(header);
        }

        csv.EndRecord();
        var line = 0;
        foreach (var batch in SentimentText.Read(inputFile).Select(l => l.Text).Chunk(ScoreBatch))
        {
            foreach (var (text, probability) in batch.Zip(model.Score(batch)))
            {
                csv.WriteField((++line).ToString(CultureInfo.InvariantCulture));
                csv.WriteField(text.Text);
                csv.WriteField(probability.ToString("0.0000", CultureInfo.InvariantCulture));
                csv.EndRecord();
            }
        }

        await csv.FlushAsync();
        await output.WriteLineAsync($"Scored {line} lines; wrote {outputPath}.");
        return 0;
    }

    /// <summary>The input and output of a scoring command, checked before the output is created (the input is read as it is written).</summary>
    private static (string Input, string Output) ScoringFiles(string input, string output)
    {
        var (inputFile, outputFile) = (CommandLine.FilePath(input), CommandLine.FilePath(output));
        if (!File.Exists(inputFile))
        {
            throw new FileNotFoundException($"There is no file {input}.");
        }

        return inputFile == outputFile ? throw new IOException("The output would overwrite the input it is read from: name another file.") : (inputFile, outputFile);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static async Task WriteAsync(string path, IReadOnlyList<Rfm> customers, ValueSegmentModel model)
    {
        await using var file = File.Create(path);
        await using var csv = CsvWriter.Create(file, CsvOutput.Options, leaveOpen: true);
        foreach (var header in new[] { "customerId", "segment", "recency", "frequency", "monetary" })
        {
            csv.WriteField(header);
        }

        csv.EndRecord();
        foreach (var customer in customers)
        {
            csv.WriteField(customer.CustomerId);
            csv.WriteField(model.Assign(customer).Name);
            csv.WriteField(customer.RecencyDays.ToString("0.##", CultureInfo.InvariantCulture));
            csv.WriteField(customer.Frequency.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(customer.Monetary.ToString("0.00", CultureInfo.InvariantCulture));
            csv.EndRecord();
        }

        await csv.FlushAsync();
    }
}
