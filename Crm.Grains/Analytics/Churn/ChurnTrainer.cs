using System.Collections.Immutable;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace Crm.Analytics;

/// <summary>
/// Trains the churn classifier: a fifth of the customers is set aside; the trainers are cross-validated on the rest
/// and the one with the best mean ROC AUC is trained on all of it; the threshold is the one with the best F1 over the
/// folds' held-out predictions; the set-aside customers, never seen, give the metrics.
/// </summary>
public static class ChurnTrainer
{
    public const double HeldOutFraction = 0.2;
    public const int MinPerClass = 25;

    /// <param name="folds">Folds of the cross-validation (5 for a real model; fewer in tests).</param>
    /// <param name="progress">The share of the work done, from 0 to 1.</param>
    public static ChurnModel Train(IReadOnlyList<ChurnInput> customers, TimeProvider time, int folds = 5, int seed = 1,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var churned = customers.Count(c => c.Churned);
        if (Math.Min(churned, customers.Count - churned) < MinPerClass)
        {
            // Fewer, and a fold or the held-out part may have none of one kind, where ROC AUC means nothing.
            throw new InvalidOperationException($"A churn model needs at least {MinPerClass} customers who churned and {MinPerClass} who did not; there are {churned} and {customers.Count - churned}.");
        }

        var ml = new MLContext(seed);
        var split = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(customers), HeldOutFraction, seed: seed);
        var features = Features(ml);
        var trainers = Trainers(ml, seed);
        var steps = trainers.Count + 2.0;
        var scores = new List<(TrainerScore Score, IReadOnlyList<(bool Label, float Probability)> OutOfFold)>();
        foreach (var (name, trainer) in trainers)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var results = ml.BinaryClassification.CrossValidate(split.TrainSet, features.Append(trainer), folds, seed: seed);
            var aucs = results.Select(r => r.Metrics.AreaUnderRocCurve).ToList();
            var mean = aucs.Average();
            var outOfFold = results.SelectMany(r => Scored(r.ScoredHoldOutSet)).ToList();
            scores.Add((new TrainerScore(name, mean, Math.Sqrt(aucs.Average(a => (a - mean) * (a - mean)))), outOfFold));
            progress?.Report(scores.Count / steps);
        }

        var best = scores.MaxBy(s => s.Score.Mean);
        var threshold = BestF1Threshold(best.OutOfFold);
        var model = features.Append(trainers[best.Score.Trainer]).Fit(split.TrainSet);
        progress?.Report((steps - 1) / steps);

        var heldOut = model.Transform(split.TestSet);
        var metrics = ml.BinaryClassification.Evaluate(heldOut);
        var scored = Scored(heldOut);
        var baseline = ContractBaseline(ml, split);
        var (precision, recall, f1) = AtThreshold(scored, threshold);
        var report = new ChurnReport(
            best.Score.Trainer,
            [.. scores.Select(s => s.Score)],
            threshold,
            new HeldOutMetrics(scored.Count, metrics.AreaUnderRocCurve, metrics.AreaUnderPrecisionRecallCurve, f1, precision, recall,
                scored.Average(s => Math.Pow(s.Probability - (s.Label ? 1 : 0), 2)), Reliability(scored), baseline),
            customers.Count - scored.Count,
            time.GetUtcNow());
        progress?.Report(1);
        return new ChurnModel(ml, model, split.TrainSet.Schema, report);
    }

    /// <summary>One-hot categories and the numbers, into one vector, scaled so that the linear trainer weighs them alike.</summary>
    private static IEstimator<ITransformer> Features(MLContext ml) =>
        ml.Transforms.Categorical.OneHotEncoding([.. ChurnInput.Categories.Select(c => new InputOutputColumnPair(c))])
            .Append(ml.Transforms.Concatenate("Features", [.. ChurnInput.Categories, .. ChurnInput.Numbers]))
            .Append(ml.Transforms.NormalizeMeanVariance("Features"));

    private static Dictionary<string, IEstimator<ITransformer>> Trainers(MLContext ml, int seed) => new()
    {
        ["LightGbm"] = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
        {
            NumberOfLeaves = 8,
            MinimumExampleCountPerLeaf = 30,
            LearningRate = 0.05,
            NumberOfIterations = 200,
            Seed = seed,
            NumberOfThreads = 1,
        }),
        ["FastTree"] = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            NumberOfLeaves = 8,
            MinimumExampleCountPerLeaf = 30,
            LearningRate = 0.05,
            NumberOfTrees = 200,
            NumberOfThreads = 1,
        }),
        ["LogisticRegression"] = ml.BinaryClassification.Trainers.LbfgsLogisticRegression(),
    };

    /// <summary>ROC AUC on the held-out customers of a trivial model: each scored with the churn rate of its contract type in training.</summary>
    private static double ContractBaseline(MLContext ml, DataOperationsCatalog.TrainTestData split)
    {
        var training = ml.Data.CreateEnumerable<ChurnInput>(split.TrainSet, reuseRowObject: false).ToList();
        var rate = training.GroupBy(c => c.Contract).ToDictionary(g => g.Key, g => (float)g.Average(c => c.Churned ? 1.0 : 0.0));
        var prior = (float)training.Average(c => c.Churned ? 1.0 : 0.0);
        return RocAuc([.. ml.Data.CreateEnumerable<ChurnInput>(split.TestSet, reuseRowObject: false).Select(c => (c.Churned, rate.GetValueOrDefault(c.Contract, prior)))]);
    }

    private static List<(bool Label, float Probability)> Scored(IDataView scored) =>
        [.. scored.GetColumn<bool>("Label").Zip(scored.GetColumn<float>("Probability"))];

    /// <summary>One sweep down the scores, highest first: at each distinct score, everything at or above it is called positive.</summary>
    private static double BestF1Threshold(IReadOnlyList<(bool Label, float Probability)> scored)
    {
        var ranked = scored.OrderByDescending(s => s.Probability).ToList();
        var actual = ranked.Count(s => s.Label);
        var (best, bestF1, truePositives) = (1.0, -1.0, 0);
        for (var i = 0; i < ranked.Count; i++)
        {
            truePositives += ranked[i].Label ? 1 : 0;
            if (i + 1 < ranked.Count && ranked[i + 1].Probability == ranked[i].Probability)
            {
                continue;
            }

            var f1 = 2.0 * truePositives / (i + 1 + actual);
            if (f1 > bestF1)
            {
                (best, bestF1) = (ranked[i].Probability, f1);
            }
        }

        return best;
    }

    internal static (double Precision, double Recall, double F1) AtThreshold(IReadOnlyList<(bool Label, float Probability)> scored, double threshold)
    {
        var (truePositives, predicted, actual) = (0, 0, 0);
        foreach (var (label, probability) in scored)
        {
            var positive = probability >= threshold;
            truePositives += positive && label ? 1 : 0;
            predicted += positive ? 1 : 0;
            actual += label ? 1 : 0;
        }

        var precision = predicted == 0 ? 0 : (double)truePositives / predicted;
        var recall = actual == 0 ? 0 : (double)truePositives / actual;
        return (precision, recall, precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall));
    }

    private static ImmutableArray<ReliabilityBin> Reliability(IReadOnlyList<(bool Label, float Probability)> scored) =>
    [
        .. Enumerable.Range(0, 10).Select(bin =>
        {
            var inBin = scored.Where(s => Math.Min((int)(s.Probability * 10), 9) == bin).ToList();
            return new ReliabilityBin(bin / 10.0, (bin + 1) / 10.0, inBin.Count,
                inBin.Count == 0 ? 0 : inBin.Average(s => s.Probability), inBin.Count == 0 ? 0 : inBin.Average(s => s.Label ? 1.0 : 0.0));
        }),
    ];

    /// <summary>The chance that a churned customer is scored above one who stayed (ties count half): the area under the ROC curve.</summary>
    internal static double RocAuc(IReadOnlyList<(bool Label, float Probability)> scored)
    {
        var ranked = scored.OrderBy(s => s.Probability).ToList();
        var (rankSum, positives) = (0.0, 0.0);
        for (var i = 0; i < ranked.Count;)
        {
            var j = i;
            while (j < ranked.Count && ranked[j].Probability == ranked[i].Probability)
            {
                j++;
            }

            // Tied scores share their mean rank (1-based).
            var meanRank = (i + 1 + j) / 2.0;
            for (var t = i; t < j; t++)
            {
                if (ranked[t].Label)
                {
                    rankSum += meanRank;
                    positives++;
                }
            }

            i = j;
        }

        var negatives = ranked.Count - positives;
        return positives == 0 || negatives == 0 ? 0.5 : (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
    }
}
