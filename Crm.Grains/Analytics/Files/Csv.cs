using CsvHelper;

namespace Crm.Analytics;

/// <summary>How the analytics read a data file: a record no longer than a real one could be, so a stray quote fails the read instead of the memory.</summary>
internal static class Csv
{
    public static readonly CsvReaderOptions Options = CsvReaderOptions.Default with { MaxRecordSize = 1 << 20 };
}
