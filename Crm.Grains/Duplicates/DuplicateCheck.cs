namespace Crm.Duplicates;

/// <summary>
/// One round of duplicate detection over some of a tenant's customers: their candidates by blocking key, each pair
/// scored under the tenant's rules, and the pairs worth keeping stored in place of those found for them before.
/// </summary>
public static class DuplicateCheck
{
    /// <summary>
    /// Pairs below this are not kept, nor offered. A name alone (0.45 under the default rules) is below it: namesakes
    /// grow with the square of a tenant's size, and keeping them all would cost more than finding them.
    /// </summary>
    public const double MinKeptScore = 0.5;

    /// <summary>Customers a scan checks per round: its memory is this many customers and their candidates, whatever the tenant's size.</summary>
    public const int ScanPerRound = 1_000;

    public sealed record Found(DuplicatePair Pair, MatchCandidate One, MatchCandidate Other);

    /// <param name="laterOnly">A scan: each customer with those after it by id only, so that each pair is scored once.</param>
    public static async Task<IReadOnlyList<Found>> RunAsync(
        IDuplicateStore store, string tenantId, IReadOnlyCollection<string> customerIds, bool laterOnly, DuplicateSettings settings, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var blocks = await store.BlocksAsync(tenantId, customerIds, laterOnly, cancellationToken);
        var found = new List<Found>();
        foreach (var block in blocks)
        {
            foreach (var candidate in block.Candidates)
            {
                if (DuplicateScorer.Score(block.Customer, candidate, settings) is { Score: >= MinKeptScore } pair)
                {
                    found.Add(new Found(pair, block.Customer, candidate));
                }
            }
        }

        await store.ReplaceAsync(tenantId, customerIds, [.. found.Select(f => f.Pair)], laterOnly, now, cancellationToken);
        return found;
    }
}
