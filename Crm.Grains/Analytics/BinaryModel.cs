using Microsoft.ML;
using Microsoft.ML.Data;

namespace Crm.Analytics;

/// <summary>A trained binary classifier with the report of how it was trained and measured, saved as one model file (<see cref="ModelFile"/>).</summary>
/// <typeparam name="TInput">What it scores, as ML.NET reads it.</typeparam>
public abstract class BinaryModel<TInput, TReport>
    where TInput : class
{
    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly DataViewSchema _schema;

    protected BinaryModel(MLContext ml, ITransformer model, DataViewSchema schema, TReport report) =>
        (_ml, _model, _schema, Report) = (ml, model, schema, report);

    public TReport Report { get; }

    /// <summary>What the model is ("churn"), kept in its file.</summary>
    protected abstract string Kind { get; }

    /// <summary>Each input's probability of the positive label, in the order given.</summary>
    public IEnumerable<float> Score(IEnumerable<TInput> inputs) =>
        _model.Transform(_ml.Data.LoadFromEnumerable(inputs, _schema)).GetColumn<float>("Probability");

    public void Save(Stream output) => ModelFile.Save(_ml, _model, _schema, Kind, Report, output);
}
