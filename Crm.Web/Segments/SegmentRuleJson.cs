using System.Globalization;
using System.Text.Json;
using Crm.Segments;

namespace Crm.Web.Segments;

/// <summary>A rule as the API shows it: the shape it takes in, with its values as they were checked (text lower-cased).</summary>
public static class SegmentRuleJson
{
    public static JsonElement Of(SegmentRule rule)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            Write(json, rule);
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }

    private static void Write(Utf8JsonWriter json, SegmentRule rule)
    {
        json.WriteStartObject();
        switch (rule)
        {
            case AllOf all:
                Group(json, "all", all.Rules);
                break;
            case AnyOf any:
                Group(json, "any", any.Rules);
                break;
            case NotRule not:
                json.WritePropertyName("not");
                Write(json, not.Rule);
                break;
            case Condition condition:
                json.WriteString("field", condition.Field);
                json.WriteString("op", condition.Op.ToString().ToLowerInvariant());
                if (condition.Op == RuleOperator.Exists)
                {
                    json.WriteBoolean("value", condition.Values[0] == "true");
                }
                else if (condition.Op == RuleOperator.In)
                {
                    json.WriteStartArray("value");
                    foreach (var value in condition.Values)
                    {
                        Value(json, condition.Kind, value);
                    }

                    json.WriteEndArray();
                }
                else
                {
                    json.WritePropertyName("value");
                    Value(json, condition.Op == RuleOperator.Within ? SegmentValueKind.Text : condition.Kind, condition.Values[0]);
                }

                break;
        }

        json.WriteEndObject();
    }

    private static void Group(Utf8JsonWriter json, string name, IEnumerable<SegmentRule> rules)
    {
        json.WriteStartArray(name);
        foreach (var rule in rules)
        {
            Write(json, rule);
        }

        json.WriteEndArray();
    }

    private static void Value(Utf8JsonWriter json, SegmentValueKind kind, string value)
    {
        switch (kind)
        {
            case SegmentValueKind.Number:
                json.WriteNumberValue(decimal.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture));
                break;
            case SegmentValueKind.Boolean:
                json.WriteBooleanValue(value == "true");
                break;
            default:
                json.WriteStringValue(value);
                break;
        }
    }
}
