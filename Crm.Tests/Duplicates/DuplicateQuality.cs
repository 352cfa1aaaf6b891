using System.Text.Json;
using Xunit.Abstractions;

namespace Crm.Tests.Duplicates;

/// <summary>Precision and recall of a queue against <see cref="KnownDuplicates"/>.</summary>
public static class DuplicateQuality
{
    /// <summary>Both at least 0.9: the fixture is small, so each miss and each false pair is named.</summary>
    public static void AssertPrecisionAndRecall(IReadOnlyList<string> ids, IReadOnlyList<JsonElement> found, ITestOutputHelper output)
    {
        var truth = KnownDuplicates.TruePairs(ids);
        var listed = found.Select(KnownDuplicates.Ids).ToHashSet();
        var hits = listed.Count(truth.Contains);
        var (precision, recall) = ((double)hits / Math.Max(1, listed.Count), (double)hits / truth.Count);
        var name = ids.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => $"{KnownDuplicates.People[p.i].Person}#{p.i}");
        var missed = truth.Except(listed).Select(p => $"{name[p.Item1]}~{name[p.Item2]}");
        var wrong = found.Where(p => !truth.Contains(KnownDuplicates.Ids(p))).Select(p => $"{name[KnownDuplicates.Ids(p).Item1]}~{name[KnownDuplicates.Ids(p).Item2]} {p.GetProperty("score")} {p.GetProperty("reasons")}");
        output.WriteLine($"precision {precision:F2}, recall {recall:F2}; missed: {string.Join(", ", missed)}; false: {string.Join(", ", wrong)}");

        Assert.True(precision >= 0.9 && recall >= 0.9, $"precision {precision:F2}, recall {recall:F2}; missed: {string.Join(", ", missed)}; false: {string.Join(", ", wrong)}");
    }
}
