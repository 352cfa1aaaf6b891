namespace Crm.Storage;

/// <summary>
/// Text PostgreSQL can store: no NUL character (text and jsonb refuse it) and no unpaired UTF-16 surrogate (it has no
/// UTF-8 form). Every entry point checks what it is given with this, so that such text is a 400 where it arrives,
/// never a failed transaction later.
/// </summary>
public static class StorableText
{
    /// <returns>Null when the text can be stored; else why not, for the caller.</returns>
    public static string? Problem(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return "Must not contain NUL characters (\\u0000).";
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return "Must not contain an unpaired UTF-16 surrogate.";
            }
        }

        return null;
    }

    /// <summary>
    /// The text without what PostgreSQL cannot store, surrogate pairs kept: for text of our own making that may quote
    /// what was sent, such as the message of the error that parked an event.
    /// </summary>
    public static string Stripped(string text)
    {
        if (Problem(text) is null)
        {
            return text;
        }

        var kept = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                kept.Append(text, i++, 2);
            }
            else if (text[i] != '\0' && !char.IsSurrogate(text[i]))
            {
                kept.Append(text[i]);
            }
        }

        return kept.ToString();
    }
}
