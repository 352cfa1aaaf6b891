using System.Text;
using AnyAscii;

namespace Crm.Duplicates;

/// <summary>Text as matching compares it: transliterated to ASCII (é is e, ß is ss), lower-cased, words of letters and digits.</summary>
public static class MatchText
{
    public static string Fold(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }

        var ascii = text.Transliterate();
        var folded = new StringBuilder(ascii.Length);
        foreach (var c in ascii)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                folded.Append(char.ToLowerInvariant(c));
            }
            else if (c is '\'' or '’')
            {
                // O'Brien and OBrien are one name.
            }
            else if (folded.Length > 0 && folded[^1] != ' ')
            {
                folded.Append(' ');
            }
        }

        return folded.ToString().TrimEnd();
    }

    public static string[] Words(string? text) => Fold(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// American Soundex: names that sound alike (Smith, Smyth; Jonson, Johnson) share a code. A blocking key, so that a
    /// typo after the first letter still meets the right name.
    /// </summary>
    public static string Soundex(string word)
    {
        if (word.Length == 0 || !char.IsAsciiLetter(word[0]))
        {
            return "";
        }

        var code = new StringBuilder(4).Append(char.ToUpperInvariant(word[0]));
        var last = Digit(word[0]);
        foreach (var c in word.AsSpan(1))
        {
            var digit = Digit(c);
            if (digit != '0' && digit != last)
            {
                code.Append(digit);
                if (code.Length == 4)
                {
                    break;
                }
            }

            // H and W do not separate letters of one code; vowels do.
            if (c is not ('h' or 'w'))
            {
                last = digit;
            }
        }

        return code.ToString().PadRight(4, '0');
    }

    private static char Digit(char c) => c switch
    {
        'b' or 'f' or 'p' or 'v' => '1',
        'c' or 'g' or 'j' or 'k' or 'q' or 's' or 'x' or 'z' => '2',
        'd' or 't' => '3',
        'l' => '4',
        'm' or 'n' => '5',
        'r' => '6',
        _ => '0',
    };
}
