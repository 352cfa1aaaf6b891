using System.Globalization;
using CsvHelper;
using Crm.Web.Analytics;

namespace Crm.Web.Demo;

/// <summary>Reads the demo data sets embedded in this assembly (see Demo/Data/README.md).</summary>
internal static partial class DemoData
{
    [CsvRecord]
    public sealed partial class TelcoCustomer
    {
        [CsvColumn("customerID")] public string CustomerId { get; set; } = "";
        [CsvColumn("SeniorCitizen")] public int SeniorCitizen { get; set; }
        [CsvColumn("tenure")] public int TenureMonths { get; set; }
        [CsvColumn("InternetService")] public string InternetService { get; set; } = "";
        [CsvColumn("Contract")] public string Contract { get; set; } = "";
        [CsvColumn("PaperlessBilling")] public string PaperlessBilling { get; set; } = "";
        [CsvColumn("PaymentMethod")] public string PaymentMethod { get; set; } = "";
        [CsvColumn("MonthlyCharges")] public decimal MonthlyCharges { get; set; }
        // Blank for customers in their first month: kept as published.
        [CsvColumn("TotalCharges")] public string TotalCharges { get; set; } = "";
        [CsvColumn("Churn")] public string Churn { get; set; } = "";
    }

    public sealed record Message(string Text, bool Positive);

    public static List<TelcoCustomer> TelcoCustomers() => ReadCsv<TelcoCustomer>("telco-churn.csv");

    public static List<RetailInvoice> Invoices() => ReadCsv<RetailInvoice>("online-retail-invoices.csv");

    public static List<Message> Messages()
    {
        using var reader = new StreamReader(Resource("amazon-cells-labelled.txt"));
        var messages = new List<Message>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Split('\t') is [var text, var label])
            {
                messages.Add(new Message(text.Trim(), label.Trim() == "1"));
            }
        }

        return messages;
    }

    private static List<T> ReadCsv<T>(string name)
    {
        using var csv = CsvReader.Create(Resource(name));
        return csv.GetRecords<T>().ToList();
    }

    private static Stream Resource(string name) =>
        typeof(DemoData).Assembly.GetManifestResourceStream($"Crm.Web.Demo.Data.{name}")
            ?? throw new InvalidOperationException($"Demo data {name} is not embedded.");
}
