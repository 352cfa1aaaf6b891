using System.Text;

namespace Crm.Storage;

/// <summary>
/// Which row of Orleans' ADO.NET table OrleansStorage holds a grain's state: the columns exactly as Orleans'
/// AdoNetGrainStorage fills them (its AdoGrainKey and default hasher, <see cref="StableHash"/>), so that state one of
/// the two providers wrote is the state the other reads.
/// </summary>
internal readonly record struct OrleansStorageKey(int IdHash, long N0, long N1, int TypeHash, string Type, string? Extension)
{
    public const int MaxKeyLength = 512;

    public static OrleansStorageKey Of(string stateName, GrainId grainId)
    {
        // Orleans rewrites generic type names (with a backtick) before storing them; state names here never are.
        if (stateName.Contains('`'))
        {
            throw new ArgumentException($"State name '{stateName}' is not a plain name.", nameof(stateName));
        }

        if ((Unstorable(stateName) ?? Unstorable(grainId.Key.ToString())) is { } problem)
        {
            // Refused here, for this grain alone, rather than failing the commit it would share with others.
            throw new ArgumentException($"Grain {grainId} cannot keep state '{stateName}': {problem}", nameof(grainId));
        }

        var typeHash = (int)StableHash.ComputeHash(Encoding.UTF8.GetBytes(stateName));
        if (grainId.TryGetGuidKey(out var guid, out var guidExtension))
        {
            var bytes = guid.ToByteArray();
            return new(HashOf(bytes, guidExtension), BitConverter.ToInt64(bytes, 0), BitConverter.ToInt64(bytes, 8), typeHash, stateName, guidExtension);
        }

        if (grainId.TryGetIntegerKey(out var integer, out var integerExtension))
        {
            return new(HashOf(BitConverter.GetBytes(integer), integerExtension), 0, integer, typeHash, stateName, integerExtension);
        }

        var key = grainId.Key.ToString();
        return new(HashOf([], key), 0, 0, typeHash, stateName, key);
    }

    /// <summary>The table's key columns hold 512 characters of text PostgreSQL can store.</summary>
    private static string? Unstorable(string text) =>
        text.Length > MaxKeyLength ? $"longer than {MaxKeyLength} characters" : StorableText.Problem(text);

    /// <summary>The key's bytes, then the extension's in UTF-8, hashed in reverse order on little-endian machines.</summary>
    private static int HashOf(byte[] key, string? extension)
    {
        byte[] bytes = [.. key, .. extension is null ? [] : Encoding.UTF8.GetBytes(extension)];
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(bytes);
        }

        return (int)StableHash.ComputeHash(bytes);
    }
}
