using System.Globalization;
using Crm.Analytics;
using CsvHelper;

namespace Crm.Web.Analytics;

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

    /// <summary>A leading C marks a cancellation, with a negative quantity.</summary>
    public bool IsCancellation => InvoiceNo.StartsWith('C');

    /// <summary>UK local time as published; read as UTC, which is at most an hour off.</summary>
    public DateTimeOffset IssuedAt => new(DateTime.ParseExact(InvoiceDate, "M/d/yyyy H:mm", CultureInfo.InvariantCulture), TimeSpan.Zero);

    /// <summary>The quantity times the invoice's mean unit price: negative for a cancellation.</summary>
    public decimal Value => Quantity * UnitPrice;

    public CustomerOrder ToOrder() => new(CustomerId, IssuedAt, Value);
}
