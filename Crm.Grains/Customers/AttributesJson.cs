using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace Crm.Customers;

/// <summary>
/// Custom attributes as one JSON object in the customer list, in JSON's own types (numbers and booleans as such, text
/// and dates as strings), so that SQL compares them by type; text lower-cased, as rules compare it.
/// </summary>
internal static class AttributesJson
{
    public static string Of(ImmutableDictionary<string, AttributeValue> attributes)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var (name, value) in attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                json.WritePropertyName(name);
                switch (value.Kind)
                {
                    case AttributeKind.Number when decimal.TryParse(value.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number):
                        json.WriteNumberValue(number);
                        break;
                    case AttributeKind.Boolean:
                        json.WriteBooleanValue(value.Value == "true");
                        break;
                    default:
                        json.WriteStringValue(value.Value.ToLowerInvariant());
                        break;
                }
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static ImmutableDictionary<string, AttributeValue> Read(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.EnumerateObject().ToImmutableDictionary(p => p.Name, p => p.Value.ValueKind switch
        {
            JsonValueKind.Number => new AttributeValue(AttributeKind.Number, p.Value.GetRawText()),
            JsonValueKind.True or JsonValueKind.False => AttributeValue.Boolean(p.Value.GetBoolean()),
            _ when Segments.SegmentRules.IsDateShaped(p.Value.GetString() ?? "") => new AttributeValue(AttributeKind.Date, p.Value.GetString()!),
            _ => AttributeValue.Text(p.Value.GetString() ?? ""),
        });
    }
}
