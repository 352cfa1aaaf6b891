using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;

namespace Crm.Analytics;

/// <summary>
/// A trained model as one file: ML.NET's model zip, with the report of how it was trained and measured as one more
/// entry, so that a model never travels without its metrics.
/// </summary>
public static class ModelFile
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <param name="kind">What the model is ("churn"): its report's entry is named after it, so a model is never read as another kind.</param>
    public static void Save<TReport>(MLContext ml, ITransformer model, DataViewSchema schema, string kind, TReport report, Stream output)
    {
        using var buffer = new MemoryStream();
        ml.Model.Save(model, schema, buffer);
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Update, leaveOpen: true))
        {
            using var entry = zip.CreateEntry(ReportEntry(kind)).Open();
            JsonSerializer.Serialize(entry, report, Json);
        }

        buffer.Position = 0;
        buffer.CopyTo(output);
    }

    /// <param name="what">What the model is, for the message when the file is not one ("a churn model").</param>
    /// <exception cref="InvalidDataException">Not a model file with a report of this kind.</exception>
    public static (MLContext Ml, ITransformer Model, DataViewSchema Schema, TReport Report) Load<TReport>(Stream input, string kind, string what)
    {
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        buffer.Position = 0;
        TReport report;
        try
        {
            using var zip = new ZipArchive(buffer, ZipArchiveMode.Read, leaveOpen: true);
            using var entry = (zip.GetEntry(ReportEntry(kind)) ?? throw new InvalidDataException($"The file holds no {kind} report.")).Open();
            report = JsonSerializer.Deserialize<TReport>(entry, Json) ?? throw new InvalidDataException("The report is empty.");
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException)
        {
            throw new InvalidDataException($"The file is not {what}: {ex.Message}", ex);
        }

        buffer.Position = 0;
        var ml = new MLContext();
        var model = ml.Model.Load(buffer, out var schema);
        return (ml, model, schema, report);
    }

    private static string ReportEntry(string kind) => $"crm/{kind}-report.json";
}
