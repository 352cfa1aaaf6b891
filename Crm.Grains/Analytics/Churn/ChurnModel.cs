using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Crm.Analytics;

/// <summary>The trained churn classifier and its report, saved as one ML.NET model file with the report inside.</summary>
public sealed class ChurnModel
{
    /// <summary>The report's entry in the model's zip, beside ML.NET's own.</summary>
    private const string ReportEntry = "crm/churn-report.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly DataViewSchema _schema;

    internal ChurnModel(MLContext ml, ITransformer model, DataViewSchema schema, ChurnReport report) =>
        (_ml, _model, _schema, Report) = (ml, model, schema, report);

    public ChurnReport Report { get; }

    /// <summary>Each customer's probability of churning, in the order given; read in batches, never all at once.</summary>
    public IEnumerable<float> Score(IEnumerable<ChurnInput> customers) =>
        _model.Transform(_ml.Data.LoadFromEnumerable(customers, _schema)).GetColumn<float>("Probability");

    public void Save(Stream output)
    {
        using var buffer = new MemoryStream();
        _ml.Model.Save(_model, _schema, buffer);
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Update, leaveOpen: true))
        {
            using var entry = zip.CreateEntry(ReportEntry).Open();
            JsonSerializer.Serialize(entry, Report, Json);
        }

        buffer.Position = 0;
        buffer.CopyTo(output);
    }

    /// <exception cref="InvalidDataException">Not a churn model saved by <see cref="Save"/>.</exception>
    public static ChurnModel Load(Stream input)
    {
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        buffer.Position = 0;
        ChurnReport report;
        try
        {
            using var zip = new ZipArchive(buffer, ZipArchiveMode.Read, leaveOpen: true);
            using var entry = (zip.GetEntry(ReportEntry) ?? throw new InvalidDataException("The file holds no churn report.")).Open();
            report = JsonSerializer.Deserialize<ChurnReport>(entry, Json) ?? throw new InvalidDataException("The churn report is empty.");
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException)
        {
            throw new InvalidDataException($"The file is not a churn model saved by churn-train: {ex.Message}", ex);
        }

        buffer.Position = 0;
        var ml = new MLContext();
        var model = ml.Model.Load(buffer, out var schema);
        return new ChurnModel(ml, model, schema, report);
    }
}
