namespace Crm.Analytics;

/// <summary>
/// Names clusters in the words marketers use, from where each centroid lies against the average customer (0 in every
/// standardized dimension, recency turned round so that above average is better in all three): recent, frequent and
/// big-spending clusters are Champions, their opposites Lost. So a name always agrees with the numbers: Champions are
/// above the average customer in all three, and Lost below it. Clusters in the same corner take its names in turn,
/// the most pronounced first.
/// </summary>
public static class ValueSegmentNames
{
    private static readonly Dictionary<(bool Recent, bool Frequent, bool BigSpending), string[]> ByCorner = new()
    {
        [(true, true, true)] = ["Champions", "Loyal"],
        [(true, true, false)] = ["Loyal", "Potential loyalists"],
        [(true, false, true)] = ["Promising", "Potential loyalists"],
        [(true, false, false)] = ["New customers", "Promising"],
        [(false, true, true)] = ["At risk", "Can't lose them"],
        [(false, true, false)] = ["Need attention", "About to sleep"],
        [(false, false, true)] = ["About to sleep", "Hibernating"],
        [(false, false, false)] = ["Lost", "Hibernating"],
    };

    /// <param name="centroids">Standardized as <see cref="RfmScale"/> does: log recency, log frequency, log monetary value.</param>
    public static string[] For(IReadOnlyList<float[]> centroids)
    {
        var names = new string[centroids.Count];
        var taken = new HashSet<string>();
        var mostPronounced = Enumerable.Range(0, centroids.Count).OrderByDescending(c => Goodness(centroids[c]).Sum(Math.Abs)).ThenBy(c => c);
        foreach (var c in mostPronounced)
        {
            var goodness = Goodness(centroids[c]);
            var corner = (goodness[0] > 0, goodness[1] > 0, goodness[2] > 0);
            var name = ByCorner[corner].FirstOrDefault(n => !taken.Contains(n)) ?? Numbered(Described(corner), taken);
            taken.Add(name);
            names[c] = name;
        }

        return names;
    }

    /// <summary>Higher is better in each: recency is days since the last order, so it is turned round.</summary>
    private static double[] Goodness(float[] centroid) => [-centroid[0], centroid[1], centroid[2]];

    private static string Numbered(string name, HashSet<string> taken) =>
        Enumerable.Range(1, int.MaxValue).Select(n => n == 1 ? name : $"{name} ({n})").First(n => !taken.Contains(n));

    private static string Described((bool Recent, bool Frequent, bool BigSpending) corner) =>
        $"{(corner.Recent ? "Recent" : "Lapsed")}, {(corner.Frequent ? "frequent" : "occasional")}, {(corner.BigSpending ? "high spend" : "low spend")}";
}
