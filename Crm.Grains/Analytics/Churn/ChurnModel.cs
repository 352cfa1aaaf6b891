using Microsoft.ML;
using Microsoft.ML.Data;

namespace Crm.Analytics;

/// <summary>The trained churn classifier and its report, saved as one model file (<see cref="ModelFile"/>).</summary>
public sealed class ChurnModel
{
    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly DataViewSchema _schema;

    internal ChurnModel(MLContext ml, ITransformer model, DataViewSchema schema, ChurnReport report) =>
        (_ml, _model, _schema, Report) = (ml, model, schema, report);

    public ChurnReport Report { get; }

    /// <summary>Each customer's probability of churning, in the order given.</summary>
    public IEnumerable<float> Score(IEnumerable<ChurnInput> customers) =>
        _model.Transform(_ml.Data.LoadFromEnumerable(customers, _schema)).GetColumn<float>("Probability");

    public void Save(Stream output) => ModelFile.Save(_ml, _model, _schema, Kind, Report, output);

    private const string Kind = "churn";

    /// <exception cref="InvalidDataException">Not a churn model saved by <see cref="Save"/>.</exception>
    public static ChurnModel Load(Stream input)
    {
        var (ml, model, schema, report) = ModelFile.Load<ChurnReport>(input, Kind, "a churn model saved by churn-train");
        return new ChurnModel(ml, model, schema, report);
    }
}
