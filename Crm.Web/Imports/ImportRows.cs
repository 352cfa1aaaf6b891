using System.Globalization;
using System.Text;
using System.Text.Json;
using Crm.Imports;
using Crm.Ingestion;
using CsvHelper;

namespace Crm.Web.Imports;

/// <summary>One row of an import file: its number (1 for the first row after the header) and its cells by column.</summary>
/// <param name="Problem">Set when the row itself does not read (a JSON line that is not an object, say).</param>
public sealed record ImportRow(long Number, IReadOnlyDictionary<string, string> Cells, string? Problem = null);

/// <summary>The file does not read as the format it was given as: the import stops here.</summary>
public sealed class ImportFileException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Reads an import file a row at a time, never all of it: CSV with a header row and any delimiter (detected),
/// quoted fields, UTF-8 with or without a byte order mark, or Windows-1252 when it is not UTF-8; or JSON Lines, one
/// object a line, nested objects read as dotted columns ("address.city").
/// </summary>
public static class ImportRows
{
    /// <summary>The longest record (a CSV row, a JSON line) read: a longer one is refused rather than held.</summary>
    public const int MaxCellLength = 100_000;

    private const int MaxLineLength = MaxCellLength * 4;
    private const int SampleBytes = 64 * 1024;

    /// <summary>
    /// What bytes that are not UTF-8 decode to in a file read as UTF-8 (its start was): the replacement character. A
    /// row holding one is refused by name instead of imported with its letters lost (text that holds one lost them before).
    /// </summary>
    private const char NotUtf8 = '\uFFFD';

    private const string NotUtf8Problem =
        "Not valid UTF-8, though the file starts as UTF-8: save the whole file as UTF-8 (or all of it as Windows-1252) and import it again.";

    static ImportRows() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>The format a file's name says: JSON Lines for .jsonl and .ndjson, CSV otherwise.</summary>
    public static ImportFormat FormatOf(string? fileName) =>
        fileName is not null && (fileName.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || fileName.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase))
            ? ImportFormat.JsonLines
            : ImportFormat.Csv;

    /// <summary>UTF-8 unless the file's start is not UTF-8 (and not marked UTF-16), when it is read as Windows-1252.</summary>
    public static async Task<Encoding> DetectEncodingAsync(Stream sample, CancellationToken cancellationToken)
    {
        var buffer = new byte[SampleBytes];
        var length = await sample.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        var bytes = buffer.AsSpan(0, length);
        if (bytes.StartsWith(Encoding.UTF8.Preamble))
        {
            return Encoding.UTF8;
        }

        if (bytes.StartsWith(Encoding.Unicode.Preamble))
        {
            return Encoding.Unicode;
        }

        // The sample may end inside a character: only what comes before the last few bytes must be valid.
        var complete = length == SampleBytes ? bytes[..^4] : bytes;
        return Utf8IsValid(complete) ? Encoding.UTF8 : Encoding.GetEncoding(1252);
    }

    public static IAsyncEnumerable<ImportRow> ReadAsync(Stream file, Encoding encoding, ImportFormat format, CancellationToken cancellationToken) =>
        format == ImportFormat.JsonLines ? JsonLinesAsync(file, encoding, cancellationToken) : CsvAsync(file, encoding, cancellationToken);

    private static async IAsyncEnumerable<ImportRow> CsvAsync(Stream file, Encoding encoding, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var options = CsvReaderOptions.Default with
        {
            Encoding = encoding,
            HasHeader = true,
            MaxRecordSize = MaxCellLength * 4,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            // Values are customers' personal data: they stay out of messages that reach logs.
            IncludeValuesInExceptions = false,
        };
        await using var csv = CsvReader.Create(file, options, leaveOpen: true);
        IReadOnlyList<string> header;
        try
        {
            await csv.ReadHeaderAsync(cancellationToken);
            header = [.. csv.Headers];
        }
        catch (CsvFormatException ex)
        {
            throw new ImportFileException($"The header row does not read as CSV: {ex.Message}", ex);
        }

        if (header.Count == 0)
        {
            throw new ImportFileException("The file is empty: a CSV import starts with a header row naming its columns.");
        }

        for (long number = 1; ; number++)
        {
            bool more;
            try
            {
                more = await csv.ReadAsync(cancellationToken);
            }
            catch (CsvFormatException ex)
            {
                throw new ImportFileException($"Row {number} does not read as CSV: {ex.Message}", ex);
            }

            if (!more)
            {
                yield break;
            }

            var cells = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < header.Count && i < csv.FieldCount; i++)
            {
                if (csv.GetString(i) is { Length: > 0 } value)
                {
                    cells[header[i]] = value;
                }
            }

            yield return new ImportRow(number, cells, cells.Values.Any(v => v.Contains(NotUtf8)) ? NotUtf8Problem
                : csv.FieldCount > header.Count ? $"{csv.FieldCount} cells, but the header names {header.Count} columns." : null);
        }
    }

    private static async IAsyncEnumerable<ImportRow> JsonLinesAsync(Stream file, Encoding encoding, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var text = new StreamReader(file, encoding, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        var lines = new BoundedLines(text, MaxLineLength);
        var line = new StringBuilder();
        long number = 0;
        while (await lines.ReadAsync(line, cancellationToken) is var (more, tooLong) && (more || line.Length > 0 || tooLong))
        {
            if (!tooLong && string.IsNullOrWhiteSpace(line.ToString()))
            {
                if (!more)
                {
                    yield break;
                }

                continue;
            }

            number++;
            var cells = new Dictionary<string, string>(StringComparer.Ordinal);
            string? problem = tooLong ? $"A line of more than {MaxLineLength} characters." : line.ToString().Contains(NotUtf8) ? NotUtf8Problem : null;
            if (problem is null)
            {
                // The same defensive reading as the tracking API: text no database can store is this row's problem.
                var (json, unreadable) = JsonInput.Parse(Encoding.UTF8.GetBytes(line.ToString()));
                using (json)
                {
                    problem = unreadable is not null ? $"{(unreadable.Field is "" or "body" ? "" : unreadable.Field + ": ")}{unreadable.Message}"
                        : json!.RootElement.ValueKind != JsonValueKind.Object ? "Each line is one JSON object."
                        : null;
                    if (problem is null)
                    {
                        Flatten(json!.RootElement, "", cells);
                    }
                }
            }

            yield return new ImportRow(number, cells, problem);
            if (!more)
            {
                yield break;
            }
        }
    }

    private static void Flatten(JsonElement element, string prefix, Dictionary<string, string> cells)
    {
        foreach (var property in element.EnumerateObject())
        {
            var name = prefix + property.Name;
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.Object:
                    Flatten(property.Value, name + ".", cells);
                    break;
                case JsonValueKind.Array:
                    cells[name] = string.Join("; ", property.Value.EnumerateArray().Select(Scalar));
                    break;
                case JsonValueKind.Null:
                    break;
                default:
                    cells[name] = Scalar(property.Value);
                    break;
            }
        }
    }

    private static string Scalar(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    private static bool Utf8IsValid(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);
}
