using CsvHelper;

namespace Crm.Web.Api;

/// <summary>How the product writes CSV for people to open: RFC 4180, and no cell a spreadsheet would run as a formula ("=HYPERLINK(…)").</summary>
public static class CsvOutput
{
    public static readonly CsvWriterOptions Options = CsvWriterOptions.Default with { Injection = CsvInjection.Escape };
}
