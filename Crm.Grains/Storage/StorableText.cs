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
}
