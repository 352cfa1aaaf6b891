using System.Collections.Immutable;
using System.IO.Hashing;
using System.Text;

namespace Crm.Customers;

/// <summary>
/// Finding a name typed with one slip: a letter wrong, missing or extra, or two letters swapped ("Lovelcae", "Jonh",
/// "Smiht"). Each name word of <see cref="MinWordLength"/> letters or more is kept as itself and as every way of
/// dropping one of its letters (a deletion neighbourhood, as SymSpell does): a word typed with one slip shares one of
/// those with the word meant. They are kept as 32-bit hashes in an indexed array, computed here for the embedded list
/// and PostgreSQL alike. Shorter words are matched as typed: a slip in three letters is another word.
/// </summary>
public static class SearchTypos
{
    public const int MinWordLength = 4;

    /// <summary>Longer words are cut to this many letters: "Featherstonehaugh" and its slips are told apart by their start.</summary>
    public const int MaxWordLength = 24;

    /// <summary>A query's words beyond this must be found as typed: a slip is forgiven in the first ones only.</summary>
    public const int MaxQueryWords = 6;

    /// <summary>A customer's words beyond this (a long imported company name) are found as typed only.</summary>
    public const int MaxNameWords = 8;

    /// <summary>The keys of a customer's names (and company).</summary>
    public static ImmutableArray<int> KeysOf(IEnumerable<string?> names) =>
        [.. names.OfType<string>().SelectMany(Words).Where(HasSlips).Distinct(StringComparer.Ordinal).Take(MaxNameWords)
            .SelectMany(w => KeysOfWord(w)).Distinct().Order()];

    /// <summary>Whether a word is long enough, in letters rather than UTF-16 units, for a slip in it to be told from another word.</summary>
    public static bool HasSlips(string word) => word.EnumerateRunes().Take(MinWordLength).Count() >= MinWordLength;

    /// <summary>A word's keys: itself and itself without each of its letters, hashed.</summary>
    public static ImmutableArray<int> KeysOfWord(string word)
    {
        if (!HasSlips(word))
        {
            return [];
        }

        var runes = word.EnumerateRunes().Take(MaxWordLength).ToArray();
        var variants = new HashSet<int> { Hash(string.Concat(runes)) };
        for (var skip = 0; skip < runes.Length; skip++)
        {
            variants.Add(Hash(string.Concat(runes.Where((_, i) => i != skip))));
        }

        return [.. variants.Order()];
    }

    /// <summary>
    /// Text folded as search folds names, in words: split where there is white space, without the punctuation at their
    /// ends ("Lovelace," is "lovelace"). Punctuation inside stays, as search keeps it: "jo.smith" is one word.
    /// </summary>
    public static IEnumerable<string> Words(string text) =>
        SearchFolding.Fold(text.Normalize()).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.Trim(EdgePunctuation))
            .Where(w => w.Length > 0);

    private static readonly char[] EdgePunctuation = [.. ".,;:!?\"()[]{}<>«»“”‘’-–—/\\*&#".Distinct()];

    private static int Hash(string variant) => unchecked((int)XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(variant)));
}

/// <summary>A word of a query: found where the search text holds it, or, when it has keys, a name one slip from it.</summary>
public sealed record SearchWord(string Word, ImmutableArray<int> Keys);
