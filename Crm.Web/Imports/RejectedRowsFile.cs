using System.Text;
using Crm.Web.Api;
using CsvHelper;

namespace Crm.Web.Imports;

/// <summary>The rejected-rows report as CSV (row, column, value, reason): written a commit at a time, read as one file.</summary>
public static class RejectedRowsFile
{
    public static readonly byte[] Header = Encoding.UTF8.GetBytes("row,column,value,reason\r\n");

    public static byte[] Lines(IEnumerable<RejectedCell> rejected)
    {
        using var buffer = new MemoryStream();
        using (var csv = CsvWriter.Create(buffer, CsvOutput.Options, leaveOpen: true))
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
