using System.Text;
using CsvHelper;

namespace Crm.Web.Imports;

/// <summary>The rejected-rows report as CSV (row, column, value, reason): written a commit at a time, read as one file.</summary>
public static class RejectedRowsFile
{
    public static readonly byte[] Header = Encoding.UTF8.GetBytes("row,column,value,reason\r\n");

    // A value such as "=HYPERLINK(…)" must not become a formula in the spreadsheet that opens the report.
    private static readonly CsvWriterOptions Options = CsvWriterOptions.Default with { Injection = CsvInjection.Escape };

    public static byte[] Lines(IEnumerable<RejectedCell> rejected)
    {
        using var buffer = new MemoryStream();
        using (var csv = CsvWriter.Create(buffer, Options, leaveOpen: true))
        {
            foreach (var cell in rejected)
            {
                csv.WriteField(cell.Row, "");
                csv.WriteField(cell.Column);
                csv.WriteField(cell.Value);
                csv.WriteField(cell.Reason);
                csv.EndRecord();
            }

            csv.Flush();
        }

        return buffer.ToArray();
    }
}
