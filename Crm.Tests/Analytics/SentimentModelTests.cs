using Crm.Analytics;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Analytics;

[Collection(ModelTrainingCollection.Name)]
public sealed class SentimentModelTests : IDisposable
{
    private static readonly string[] Files =
    [
        Path.Combine(Repository.Root, "data", "sentiment", "amazon_cells_labelled.txt"),
        Path.Combine(Repository.Root, "data", "sentiment", "yelp_labelled.txt"),
    ];

    private static readonly Lazy<SentimentModel> Trained = new(() =>
        SentimentModel.Train([.. Files.SelectMany(SentimentText.Read).Select(l => l.Text)], TimeProvider.System, folds: 2));

    private readonly string _file = Path.GetTempFileName();

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void Tells_positive_from_negative_on_sentences_it_never_saw_far_better_than_the_commoner_label()
    {
        var report = Trained.Value.Report;

        Assert.True(report.Accuracy >= 0.75, $"accuracy {report.Accuracy}");
        Assert.True(report.Accuracy > report.BaselineAccuracy + 0.15, $"{report.Accuracy} against {report.BaselineAccuracy}");
        Assert.True(report.F1 >= 0.7, $"F1 {report.F1}");
        Assert.Equal(2_000, report.TrainingRows + report.HeldOutRows);
        Assert.Equal(report.CrossValidated.MaxBy(t => t.Mean)!.Trainer, report.Trainer);
    }

    [Fact]
    public void Scores_the_same_after_a_round_trip_through_its_file()
    {
        SentimentText[] texts =
        [
            new() { Text = "Thank you so much, the new phone works great and the agent was very helpful." },
            new() { Text = "Terrible service, the battery died after a day and nobody called me back." },
        ];
        using var file = new MemoryStream();
        Trained.Value.Save(file);
        file.Position = 0;

        var loaded = SentimentModel.Load(file);

        var scores = Trained.Value.Score(texts).ToList();
        Assert.Equal(scores, loaded.Score(texts));
        Assert.True(scores[0] > 0.5 && scores[1] < 0.5, string.Join(", ", scores));
        Assert.Equal(Trained.Value.Report.Accuracy, loaded.Report.Accuracy);
    }

    [Fact]
    public void Reads_a_label_after_the_last_tab_and_a_line_without_one_as_text_alone()
    {
        File.WriteAllLines(_file, ["Great value.\t1", "Not\tgood\t0", "Just text", "Tabbed\ttext", ""]);

        var read = SentimentText.Read(_file).Select(l => (l.Text.Text, l.Text.Positive, l.Labelled)).ToList();

        Assert.Equal([("Great value.", true, true), ("Not\tgood", false, true), ("Just text", false, false), ("Tabbed\ttext", false, false), ("", false, false)], read);
    }
}
