using Crm.Analytics;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Analytics;

[Collection(ModelTrainingCollection.Name)]
public sealed class ChurnTrainerTests
{
    private static readonly string TelcoFile = Path.Combine(Repository.Root, "data", "telco-churn.csv");

    /// <summary>Trained once for the class, on a sample with few folds: the full-size run is the benchmark's.</summary>
    private static readonly Lazy<(List<ChurnInput> Customers, ChurnModel Model)> Trained = new(() =>
    {
        var customers = TelcoCustomer.Read(TelcoFile).Take(2_500).ToList();
        return (customers, ChurnTrainer.Train(customers, TimeProvider.System, folds: 3));
    });

    [Fact]
    public void Beats_the_contract_type_alone_on_customers_it_never_saw()
    {
        var report = Trained.Value.Model.Report;

        Assert.True(report.HeldOut.RocAuc >= 0.80, $"held-out ROC AUC {report.HeldOut.RocAuc}");
        Assert.True(report.HeldOut.RocAuc > report.HeldOut.BaselineRocAuc, $"{report.HeldOut.RocAuc} against {report.HeldOut.BaselineRocAuc}");
        Assert.Equal(["LightGbm", "FastTree", "LogisticRegression"], report.CrossValidated.Select(t => t.Trainer));
        Assert.Equal(report.CrossValidated.MaxBy(t => t.Mean)!.Trainer, report.Trainer);
        Assert.True(2_500 == report.TrainingRows + report.HeldOut.Rows, $"{report.TrainingRows} + {report.HeldOut.Rows}");
        Assert.InRange(report.HeldOut.Rows, 400, 600);
    }

    [Fact]
    public void Reports_calibration_better_than_the_churn_rate_alone()
    {
        var (customers, model) = Trained.Value;
        var held = model.Report.HeldOut;
        var rate = customers.Average(c => c.Churned ? 1.0 : 0.0);

        Assert.Equal(held.Rows, held.Reliability.Sum(b => b.Count));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i / 10.0), held.Reliability.Select(b => b.From));
        Assert.True(held.Brier < rate * (1 - rate), $"Brier {held.Brier} against {rate * (1 - rate)} for the rate alone");
        Assert.All(held.Reliability.Where(b => b.Count > 0), b => Assert.InRange(b.MeanPredicted, b.From, b.To));
        Assert.InRange(model.Report.Threshold, 0.05, 0.95);
        Assert.InRange(held.F1, 0.5, 1);
    }

    [Fact]
    public void Scores_the_same_after_a_round_trip_through_its_file_and_scores_churners_higher()
    {
        var (customers, model) = Trained.Value;
        using var file = new MemoryStream();
        model.Save(file);
        file.Position = 0;

        var loaded = ChurnModel.Load(file);

        var before = model.Score(customers).ToList();
        Assert.Equal(before, loaded.Score(customers));
        Assert.Equal(model.Report with { CrossValidated = [], HeldOut = model.Report.HeldOut with { Reliability = [] } },
            loaded.Report with { CrossValidated = [], HeldOut = loaded.Report.HeldOut with { Reliability = [] } });
        Assert.Equal<TrainerScore>(model.Report.CrossValidated, loaded.Report.CrossValidated);
        var churned = customers.Zip(before).Where(c => c.First.Churned).Average(c => c.Second);
        var stayed = customers.Zip(before).Where(c => !c.First.Churned).Average(c => c.Second);
        Assert.True(churned > 2 * stayed, $"{churned} against {stayed}");
    }

    [Fact]
    public void Refuses_a_file_that_is_not_a_churn_model()
    {
        var error = Assert.Throws<InvalidDataException>(() => ChurnModel.Load(new MemoryStream("not a model"u8.ToArray())));
        Assert.Contains("not a churn model", error.Message);
    }

    [Fact]
    public void Measures_roc_auc_as_the_chance_a_churner_is_scored_above_a_stayer()
    {
        Assert.Equal(0.75, ChurnTrainer.RocAuc([(true, 0.9f), (false, 0.8f), (true, 0.7f), (false, 0.1f)]));
        Assert.Equal(0.5, ChurnTrainer.RocAuc([(true, 0.5f), (false, 0.5f)]));
        Assert.Equal(1.0, ChurnTrainer.RocAuc([(false, 0.2f), (true, 0.3f), (true, 0.9f)]));
    }

    [Fact]
    public void Refuses_to_train_without_churners()
    {
        var stayers = TelcoCustomer.Read(TelcoFile).Where(c => !c.Churned).Take(100).ToList();
        var error = Assert.Throws<InvalidOperationException>(() => ChurnTrainer.Train(stayers, TimeProvider.System));
        Assert.Contains("at least 25 customers who churned", error.Message);
    }
}
