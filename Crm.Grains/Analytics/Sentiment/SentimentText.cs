using Microsoft.ML.Data;

namespace Crm.Analytics;

/// <summary>A piece of customer text as the sentiment model reads it, labelled positive or not when it is training data.</summary>
public sealed class SentimentText
{
    public string Text { get; set; } = "";

    [ColumnName("Label")]
    public bool Positive { get; set; }

    /// <summary>
    /// One text per line, optionally followed by a tab and its label (1 positive, 0 negative), as UCI's Sentiment
    /// Labelled Sentences are; a line without a label is text alone (<paramref name="labelled"/> false).
    /// </summary>
    public static IEnumerable<(SentimentText Text, bool Labelled)> Read(string path)
    {
        foreach (var line in File.ReadLines(path))
        {
            var tab = line.LastIndexOf('\t');
            var label = tab < 0 ? "" : line[(tab + 1)..].Trim();
            yield return label is "0" or "1"
                ? (new SentimentText { Text = line[..tab].Trim(), Positive = label == "1" }, true)
                : (new SentimentText { Text = line }, false);
        }
    }
}
