using Microsoft.ML;

namespace Crm.Analytics;

/// <summary>The trained churn classifier and its report.</summary>
public sealed class ChurnModel : BinaryModel<ChurnInput, ChurnReport>
{
    private const string ChurnKind = "churn";

    internal ChurnModel(MLContext ml, ITransformer model, DataViewSchema schema, ChurnReport report)
        : base(ml, model, schema, report)
    {
    }

    protected override string Kind => ChurnKind;

    /// <exception cref="InvalidDataException">Not a churn model saved by <see cref="BinaryModel{TInput, TReport}.Save"/>.</exception>
    public static ChurnModel Load(Stream input)
    {
        var (ml, model, schema, report) = ModelFile.Load<ChurnReport>(input, ChurnKind, "a churn model saved by churn-train");
        return new ChurnModel(ml, model, schema, report);
    }
}
