using System.Text.Json;

namespace Crm.Ingestion;

/// <summary>Reads the fields of an object that <see cref="JsonInput.Check"/> has passed: every string in it is safe to decode.</summary>
internal static class JsonFields
{
    /// <summary>A string field, trimmed; null when absent, not a string, empty, or longer than <paramref name="maxLength"/>.</summary>
    public static string? Text(JsonElement element, string property, int maxLength = int.MaxValue) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            && value.GetString()!.Trim() is { Length: > 0 } text && text.Length <= maxLength
                ? text
                : null;

    /// <summary>A string or number field as text (ids and amounts come as either).</summary>
    public static string? Scalar(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!.Trim() is { Length: > 0 } text ? text : null,
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    /// <summary>An object field; default when absent or not an object.</summary>
    public static JsonElement Object(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : default;

    public static bool Has(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind != JsonValueKind.Null;
}
