using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Crm.Timeline;

namespace Crm.Ingestion;

/// <summary>
/// The properties an integration attaches to what it reports (an event's properties, a webhook's call or ticket), read
/// into the parts of a timeline entry. What is longer than an interaction holds is cut, not refused: the entry records
/// what happened, and the sender's copy keeps the rest.
/// </summary>
internal static class EventProperties
{
    public static string? Text(JsonElement properties, string name) => JsonFields.Scalar(properties, name);

    /// <summary>At most <paramref name="maxLength"/> characters, never half of a surrogate pair (an emoji, say).</summary>
    public static string? Cut(string? text, int maxLength) =>
        text is { } t && t.Length > maxLength ? t[..(char.IsHighSurrogate(t[maxLength - 1]) ? maxLength - 1 : maxLength)] : text;

    /// <summary>A whole number of seconds from the first of the names that holds one, within what an interaction takes.</summary>
    public static int? Seconds(JsonElement properties, params string[] names) =>
        names.Select(n => Text(properties, n)).FirstOrDefault(t => t is not null) is { } text
            && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            && seconds is >= 0 and <= InteractionLimits.MaxDurationSeconds
                ? seconds
                : null;

    public static InteractionDirection Direction(JsonElement properties) =>
        Text(properties, "direction") is { } d && d.Equals("outbound", StringComparison.OrdinalIgnoreCase) ? InteractionDirection.Outbound : InteractionDirection.Inbound;

    /// <summary>The scalar properties, as text.</summary>
    public static ImmutableDictionary<string, string> Metadata(JsonElement properties)
    {
        if (properties.ValueKind != JsonValueKind.Object)
        {
            return ImmutableDictionary<string, string>.Empty;
        }

        var metadata = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var property in properties.EnumerateObject())
        {
            if (metadata.Count >= InteractionLimits.MaxMetadataEntries)
            {
                break;
            }

            if (property.Name.Length is > 0 and <= InteractionLimits.MaxMetadataKeyLength
                && property.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
            {
                metadata[property.Name] = Cut(property.Value.ToString(), InteractionLimits.MaxMetadataValueLength)!;
            }
        }

        return metadata.ToImmutable();
    }

    /// <summary>"99.9 EUR": an order's total and currency.</summary>
    public static string? OrderSummary(JsonElement properties) =>
        (Text(properties, "total") ?? Text(properties, "revenue")) is { } total ? $"{total} {Text(properties, "currency") ?? ""}".Trim() : null;
}
