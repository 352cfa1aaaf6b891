using Crm.Analytics;
using CsvHelper;

namespace Crm.Web.Demo;

/// <summary>Reads the demo data sets embedded in this assembly (see Demo/Data/README.md).</summary>
internal static partial class DemoData
{
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
