using System.Globalization;
using Crm.Analytics;
using Crm.Web.Api;
using Crm.Web.Hosting;
using CsvHelper;

namespace Crm.Web.Analytics;

/// <summary>
/// <c>analytics segment --input INVOICES --output CSV</c>: the value segments of a file of invoices, offline, with the
/// same training as a tenant's.
/// </summary>
public static class AnalyticsCommand
{
    public const string Usage = """
        Usage:
          dotnet run --project Crm.Web -- analytics segment --input <invoices.csv> --output <segments.csv>
        The input has the columns of online-retail-invoices.csv (InvoiceNo, InvoiceDate as M/D/YYYY H:MM, CustomerID,
        Quantity, UnitPrice); the output has customerId,segment,recency,frequency,monetary for each customer who bought.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args.ElementAtOrDefault(1) != "segment" || args.Option("--input") is not { } input || args.Option("--output") is not { } outputPath)
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }

        try
        {
            var (orders, skipped) = ReadOrders(CommandLine.FilePath(input));
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

            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{customers.Count} customers from {orders.Count} invoices ({skipped} without a customer skipped), as of {asOf:yyyy-MM-dd}."));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"k = {model.K}, silhouette {model.Fit.Silhouette:0.000}, Davies–Bouldin {model.Fit.DaviesBouldin:0.000} (best silhouette of k = {ValueSegmentTrainer.MinK}..{model.Tried[^1].K})"));
            foreach (var cluster in model.Clusters.OrderByDescending(c => c.Size))
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  {cluster.Name}: {cluster.Size} customers, last order {cluster.MeanRecencyDays:0} days ago, {cluster.MeanFrequency:0.0} orders, {cluster.MeanMonetary:0.00} spent (means)"));
            }

            await output.WriteLineAsync($"Wrote {outputPath}.");
            return 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CsvFormatException or InvalidDataException or InvalidOperationException)
        {
            await error.WriteLineAsync(ex.Message);
            return 1;
        }
    }

    private static (List<CustomerOrder> Orders, int Skipped) ReadOrders(string path)
    {
        using var csv = CsvReader.Create(File.OpenRead(path));
        var (orders, skipped, row) = (new List<CustomerOrder>(), 0, 1);
        foreach (var invoice in csv.GetRecords<RetailInvoice>())
        {
            row++;
            if (string.IsNullOrWhiteSpace(invoice.CustomerId))
            {
                skipped++;
                continue;
            }

            try
            {
                orders.Add(invoice.ToOrder());
            }
            catch (FormatException)
            {
                throw new InvalidDataException($"Row {row}: InvoiceDate '{invoice.InvoiceDate}' is not M/D/YYYY H:MM.");
            }
        }

        return (orders, skipped);
    }

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
