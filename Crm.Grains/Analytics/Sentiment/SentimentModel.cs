using System.Collections.Immutable;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Crm.Analytics;

/// <summary>How the sentiment model was chosen and did on sentences it never saw; the baseline calls every sentence the commoner label.</summary>
/// <param name="CrossValidated">Each trainer's mean accuracy over the folds of the training part.</param>
public sealed record SentimentReport(string Trainer, ImmutableArray<TrainerScore> CrossValidated, int TrainingRows, int HeldOutRows,
    double Accuracy, double F1, double RocAuc, double BaselineAccuracy, DateTimeOffset TrainedAt);

/// <summary>The trained text classifier (positive or not) and its report.</summary>
public sealed class SentimentModel : BinaryModel<SentimentText, SentimentReport>
{
    public const double HeldOutFraction = 0.2;
    public const int MinPerClass = 25;
    private const string SentimentKind = "sentiment";

    private SentimentModel(MLContext ml, ITransformer model, DataViewSchema schema, SentimentReport report)
        : base(ml, model, schema, report)
    {
    }

    /// <summary>
    /// Word unigrams and bigrams and letter trigrams of the text (ML.NET's text featurizer), weighed by the logistic
    /// regression that cross-validates best on four fifths of the sentences; the fifth set aside, never seen in
    /// training or in the choice, gives the report.
    /// </summary>
    /// <exception cref="InvalidOperationException">Too few sentences, or all of one label.</exception>
    public static SentimentModel Train(IReadOnlyList<SentimentText> sentences, TimeProvider time, int folds = 5, int seed = 1)
    {
        var positive = sentences.Count(s => s.Positive);
        if (Math.Min(positive, sentences.Count - positive) < MinPerClass)
        {
            throw new InvalidOperationException($"A sentiment model needs at least {MinPerClass} positive and {MinPerClass} negative sentences; there are {positive} and {sentences.Count - positive}.");
        }

        var ml = new MLContext(seed);
        var split = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(sentences), HeldOutFraction, seed: seed);
        var features = ml.Transforms.Text.FeaturizeText("Features", nameof(SentimentText.Text));
        var trainers = Trainers(ml);
        var scores = trainers.Select(t =>
        {
            var accuracies = ml.BinaryClassification.CrossValidate(split.TrainSet, features.Append(t.Value), folds, seed: seed).Select(r => r.Metrics.Accuracy).ToList();
            var mean = accuracies.Average();
            return new TrainerScore(t.Key, mean, Math.Sqrt(accuracies.Average(a => (a - mean) * (a - mean))));
        }).ToList();
        var best = scores.MaxBy(s => s.Mean)!;
        var model = features.Append(trainers[best.Trainer]).Fit(split.TrainSet);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(split.TestSet));
        var heldOut = split.TestSet.GetColumn<bool>("Label").ToList();
        var trainedOn = split.TrainSet.GetColumn<bool>("Label").ToList();
        // The baseline learns only the commoner label of the training part, and is measured on the held-out one.
        var commoner = trainedOn.Count(l => l) * 2 >= trainedOn.Count;
        var report = new SentimentReport(best.Trainer, [.. scores], trainedOn.Count, heldOut.Count, metrics.Accuracy, metrics.F1Score, metrics.AreaUnderRocCurve,
            (double)heldOut.Count(l => l == commoner) / heldOut.Count, time.GetUtcNow());
        return new SentimentModel(ml, model, split.TrainSet.Schema, report);
    }

    /// <summary>Logistic regressions: the text's many sparse features want regularization, of which these try three kinds.</summary>
    private static Dictionary<string, IEstimator<ITransformer>> Trainers(MLContext ml) => new()
    {
        ["Sdca"] = ml.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options { NumberOfThreads = 1 }),
        ["Lbfgs L2"] = ml.BinaryClassification.Trainers.LbfgsLogisticRegression(),
        ["Lbfgs L1+L2"] = ml.BinaryClassification.Trainers.LbfgsLogisticRegression(l1Regularization: 0.01f, l2Regularization: 0.01f),
    };

    protected override string Kind => SentimentKind;

    /// <exception cref="InvalidDataException">Not a sentiment model saved by <see cref="BinaryModel{TInput, TReport}.Save"/>.</exception>
    public static SentimentModel Load(Stream input)
    {
        var (ml, model, schema, report) = ModelFile.Load<SentimentReport>(input, SentimentKind, "a sentiment model saved by sentiment-train");
        return new SentimentModel(ml, model, schema, report);
    }
}
