using System.Globalization;
using CsvHelper;

namespace Crm.Analytics;

/// <summary>A row of an invoices file shaped as the UCI Online Retail data (../shared/data/online-retail-invoices.csv).</summary>
[CsvRecord]
public sealed partial class RetailInvoice
{
    [CsvColumn("InvoiceNo")] public string InvoiceNo { get; set; } = "";
    [CsvColumn("InvoiceDate")] public string InvoiceDate { get; set; } = "";
    [CsvColumn("CustomerID")] public string CustomerId { get; set; } = "";
    [CsvColumn("Country")] public string Country { get; set; } = "";
    [CsvColumn("Quantity")] public int Quantity { get; set; }
    [CsvColumn("UnitPrice")] public decimal UnitPrice { get; set; }

    /// <summary>Whether the invoice names its customer: the published file writes "(blank)" for one it does not know.</summary>
    public bool HasCustomer => !string.IsNullOrWhiteSpace(CustomerId) && CustomerId.Trim() != "(blank)";

    /// <summary>A leading C marks a cancellation, with a negative quantity.</summary>
    public bool IsCancellation => InvoiceNo.StartsWith('C');

    /// <summary>UK local time as published; read as UTC, which is at most an hour off.</summary>
    public DateTimeOffset IssuedAt => new(DateTime.ParseExact(InvoiceDate, "M/d/yyyy H:mm", CultureInfo.InvariantCulture), TimeSpan.Zero);

    /// <summary>The quantity times the invoice's mean unit price: negative for a cancellation.</summary>
    public decimal Value => Quantity * UnitPrice;

    public CustomerOrder ToOrder() => new(CustomerId, IssuedAt, Value);

    /// <summary>The orders of a file, and how many rows name no customer (and are left out).</summary>
    /// <exception cref="InvalidDataException">A row's InvoiceDate does not read (named with its row).</exception>
    public static (List<CustomerOrder> Orders, int Skipped) ReadOrders(string path)
    {
        using var csv = CsvReader.Create(File.OpenRead(path), Csv.Options);
        var (orders, skipped, row) = (new List<CustomerOrder>(), 0, 1);
        foreach (var invoice in csv.GetRecords<RetailInvoice>())
        {
            row++;
            if (!invoice.HasCustomer)
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
}
