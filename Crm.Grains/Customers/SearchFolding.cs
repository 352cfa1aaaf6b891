using System.Text;
using AnyAscii;

namespace Crm.Customers;

/// <summary>
/// Names as search also finds them: Latin letters without their accents (é is e, ł is l, ß is ss) and without
/// apostrophes (O'Brien is obrien), lower-cased; everything else as it is. Narrower than duplicate matching's folding
/// on purpose: punctuation stays, so that "jo.smith" is not "jo smith", and other scripts are not transliterated, so
/// that 李 does not become "li" and find every Alice.
/// </summary>
public static class SearchFolding
{
    /// <summary>A query folded shorter than this adds nothing worth its matches (and no trigram to find them by).</summary>
    private const int MinFoldedQuery = 3;

    public static string Fold(string text)
    {
        var folded = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value is '\'' or '’')
            {
                continue;
            }

            folded.Append(rune.Value is > 0x7F and (<= 0x024F or (>= 0x1E00 and <= 0x1EFF)) ? rune.ToString().Transliterate() : rune.ToString());
        }

        return folded.ToString().ToLowerInvariant();
    }

    /// <summary>The query folded, when that differs from the query in lower case and is long enough to be worth it.</summary>
    public static string? FoldQuery(string text)
    {
        var folded = Fold(text);
        return folded != text.ToLowerInvariant() && folded.Length >= MinFoldedQuery ? folded : null;
    }
}
