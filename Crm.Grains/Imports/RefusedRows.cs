using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Crm.Imports;

/// <summary>
/// Rows the processors refused while applying an import (parked: the database or the customer refused them), kept
/// by the import's grain as JSON lines, a report at a time, for the rejected-rows report beside those refused while reading.
/// </summary>
public static class RefusedRows
{
    public sealed record Row(long Number, string Reason);

    public static byte[] Lines(IEnumerable<ImportRowOutcome> refused)
    {
        var lines = new StringBuilder();
        foreach (var row in refused)
        {
            lines.Append(JsonSerializer.Serialize(new Row(row.Row, row.Reason ?? "refused while applying"))).Append('\n');
        }

        return Encoding.UTF8.GetBytes(lines.ToString());
    }

    public static async IAsyncEnumerable<Row> ReadAsync(Stream blob, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(blob, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length > 0 && JsonSerializer.Deserialize<Row>(line) is { } row)
            {
                yield return row;
            }
        }
    }
}
