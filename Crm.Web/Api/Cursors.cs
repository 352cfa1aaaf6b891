using System.Buffers.Text;
using System.Text.Json;

namespace Crm.Web.Api;

/// <summary>Opaque paging cursors: a position serialized as JSON and base64url-encoded, so clients pass them back untouched.</summary>
public static class Cursors
{
    public static string Encode<T>(T position) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(position, CrmJson.Options));

    /// <summary>A cursor must name every part of its position: "{}" or a null where a value belongs is not a cursor.</summary>
    private static readonly JsonSerializerOptions Strict = new(CrmJson.Options)
    {
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    public static bool TryDecode<T>(string? cursor, out T? position)
    {
        position = default;
        if (string.IsNullOrEmpty(cursor))
        {
            return true;
        }

        try
        {
            position = JsonSerializer.Deserialize<T>(Base64Url.DecodeFromChars(cursor), Strict);
            // Only what this API hands out: a position that encodes back to the very cursor given ("{}" does not).
            return position is not null && Encode(position) == cursor;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return false;
        }
    }
}
