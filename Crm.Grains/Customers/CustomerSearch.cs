namespace Crm.Customers;

/// <param name="Text">Matched anywhere in names, emails, phones and company; null lists everyone.</param>
public sealed record CustomerSearch(string TenantId, string? Text, CustomerListCursor? After, int Limit)
{
    public const int MaxLimit = 200;

    /// <summary>Only the customers this rule holds for (a segment's, or a filter's).</summary>
    public Segments.SegmentRule? Rule { get; init; }

    /// <summary>The order of the list; <see cref="After"/> is a position in it.</summary>
    public CustomerSort Sort { get; init; } = CustomerSort.Default;

    /// <summary>What "now" is to a rule's <c>within</c>.</summary>
    public DateTimeOffset Now { get; init; }

    /// <summary>The text's words, found anywhere or with a slip, when the text as typed finds nobody (see <see cref="CustomerSearchWords"/>).</summary>
    public IReadOnlyList<SearchWord> Words => CustomerSearchWords.Of(Text);

    /// <summary>Whether the text is matched by its <see cref="Words"/> with slips forgiven rather than as typed (<see cref="Patterns"/>).</summary>
    public bool BySlips { get; init; }

    /// <summary>
    /// What search text must contain, one of: the text in lower case; without accents and apostrophes (see
    /// <see cref="SearchFolding"/>; names are in search text both ways); and when it reads as a phone number however
    /// it was typed, its digits (an id such as "12-34" is found either way). Empty when there is no text.
    /// </summary>
    public IReadOnlyList<string> Patterns => Text is not { Length: > 0 } text ? []
        : new[] { text.ToLowerInvariant(), SearchFolding.FoldQuery(text), TelephoneNumbers.AsSearchDigits(text) }
            .OfType<string>().Where(p => p.Length > 0).Distinct().ToList();
}

/// <summary>
/// Search as typed first; when that finds nobody, the same words in any order with a slip forgiven in each, which
/// pages on from there (the cursor says so). Exact matches are never buried under near ones: "old-4" finds old-4
/// alone, "lovelcae" finds Lovelace because nothing is called lovelcae.
/// </summary>
public static class CustomerSearchFallback
{
    public static async Task<CustomerSearchPage> SearchAsync(CustomerSearch search, Func<CustomerSearch, Task<CustomerSearchPage>> find)
    {
        // A cursor says slips only for text that has words to forgive them in; one handed back with other text is a position.
        if (search.After is { Slips: true } && search.Words.Count > 0)
        {
            return BySlips(await find(search with { BySlips = true }));
        }

        var page = await find(search with { BySlips = false });
        return page.Items.Count == 0 && search.After is null && search.Words.Count > 0
            ? BySlips(await find(search with { BySlips = true }))
            : page;
    }

    public static async Task<long> CountAsync(CustomerSearch search, Func<CustomerSearch, Task<long>> count)
    {
        var exact = await count(search with { BySlips = false });
        return exact == 0 && search.Words.Count > 0 ? await count(search with { BySlips = true }) : exact;
    }

    private static CustomerSearchPage BySlips(CustomerSearchPage page) =>
        page with { Next = page.Next is { } next ? next with { Slips = true } : null };
}

public static class CustomerSearchWords
{
    /// <summary>
    /// Besides the text whole (<see cref="CustomerSearch.Patterns"/>): its words, each found anywhere in any order or,
    /// when long enough, as a name's word one slip from it ("ada lovelcae", "lovelace ada"). None for an email
    /// address, which is looked for as typed, nor when no word is long enough to have slips.
    /// </summary>
    public static IReadOnlyList<SearchWord> Of(string? text)
    {
        if (text is null || text.Contains('@') || !text.Any(char.IsLetter))
        {
            return [];
        }

        var words = SearchTypos.Words(text).Distinct(StringComparer.Ordinal)
            .Select((w, i) => new SearchWord(w, i < SearchTypos.MaxQueryWords ? SearchTypos.KeysOfWord(w) : [])).ToList();
        return words.Any(w => !w.Keys.IsEmpty) ? words : [];
    }
}

public sealed record CustomerSearchPage(IReadOnlyList<CustomerSummary> Items, CustomerListCursor? Next);
