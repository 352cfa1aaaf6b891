using System.Security.Claims;
using Crm.Imports;
using Crm.Web.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Crm.Web.Imports;

/// <summary>
/// The start of a file as the import will read it, before anything is stored: its columns with sample values and the
/// mapping suggested for them, for the person about to import it to check and correct.
/// </summary>
public static class ImportPreview
{
    public const int SampleRows = 10;
    private const int SampleBytes = 1 << 20;

    public sealed record Column(string Name, IReadOnlyList<string> Samples);

    public sealed record PreviewResponse(string Format, string Encoding, IReadOnlyList<Column> Columns, IReadOnlyDictionary<string, string> SuggestedMapping,
        IReadOnlyList<string> Fields, string? Problem);

    public static async Task<Results<Ok<PreviewResponse>, ValidationProblem>> PreviewAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var sample = new MemoryStream();
        var (upload, problem) = await ImportUpload.ReadAsync(request, async body =>
        {
            // Only the start is kept; the rest is read past, as the client sends the whole file.
            var buffer = new byte[81920];
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (sample.Length < SampleBytes)
                {
                    sample.Write(buffer, 0, (int)Math.Min(read, SampleBytes - sample.Length));
                }

                total += read;
            }

            return total;
        }, cancellationToken);
        if (upload is null)
        {
            return ValidationErrors.Single("body", problem!);
        }

        if (upload.FileName is null)
        {
            return ValidationErrors.Single("file", "Required: the CSV or JSON Lines file to look at.");
        }

        var errors = new ValidationErrors();
        var kind = errors.Enum<ImportKind>("kind", upload.Fields.GetValueOrDefault("kind")) ?? ImportKind.Customers;
        var matchOn = errors.Enum<ImportMatchKey>("matchOn", upload.Fields.GetValueOrDefault("matchOn")) ?? ImportMatchKey.ExternalId;
        var format = ImportEndpoints.Format(errors, upload);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        sample.Position = 0;
        var encoding = await ImportRows.DetectEncodingAsync(sample, cancellationToken);
        sample.Position = 0;
        var columns = new List<string>();
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        string? unreadable = null;
        try
        {
            await foreach (var row in ImportRows.ReadAsync(sample, encoding, format, cancellationToken))
            {
                foreach (var (column, value) in row.Cells)
                {
                    if (!values.TryGetValue(column, out var list))
                    {
                        values[column] = list = [];
                        columns.Add(column);
                    }

                    list.Add(value.Length > 200 ? value[..200] : value);
                }

                if (row.Number >= SampleRows)
                {
                    break;
                }
            }
        }
        catch (ImportFileException ex)
        {
            unreadable = ex.Message;
        }

        var samples = columns.Select(c => (c, (IReadOnlyList<string>)values[c])).ToList();
        var fields = kind == ImportKind.Interactions ? [ImportFields.Of(matchOn), .. ImportFields.InteractionNames] : ImportFields.Names;
        return TypedResults.Ok(new PreviewResponse(format == ImportFormat.JsonLines ? "jsonl" : "csv", encoding.WebName, [.. samples.Select(s => new Column(s.c, s.Item2))],
            MappingSuggestions.Suggest(kind, matchOn, samples), fields, unreadable));
    }
}
