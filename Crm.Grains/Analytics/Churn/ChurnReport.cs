using System.Collections.Immutable;

namespace Crm.Analytics;

/// <summary>How the churn model was chosen and how it did on customers it never saw.</summary>
/// <param name="Trainer">The trainer cross-validation chose.</param>
/// <param name="CrossValidated">Each trainer's mean ROC AUC over the folds of the training part.</param>
/// <param name="Threshold">The probability at and above which a customer is called at risk: the best F1 over the folds.</param>
public sealed record ChurnReport(
    string Trainer,
    ImmutableArray<TrainerScore> CrossValidated,
    double Threshold,
    HeldOutMetrics HeldOut,
    int TrainingRows,
    DateTimeOffset TrainedAt);

/// <summary>A trainer's mean and standard deviation of a metric over the folds of a cross-validation.</summary>
public sealed record TrainerScore(string Trainer, double Mean, double Deviation);

/// <param name="Brier">Mean squared difference between probability and outcome: 0 is perfect, 0.25 a coin.</param>
/// <param name="Reliability">By tenths of predicted probability: how many, how likely predicted, how many did churn.</param>
/// <param name="BaselineRocAuc">A trivial model's on the same customers: the rate of churn by contract alone.</param>
public sealed record HeldOutMetrics(int Rows, double RocAuc, double PrAuc, double F1, double Precision, double Recall, double Brier,
    ImmutableArray<ReliabilityBin> Reliability, double BaselineRocAuc);

public sealed record ReliabilityBin(double From, double To, int Count, double MeanPredicted, double Observed);
