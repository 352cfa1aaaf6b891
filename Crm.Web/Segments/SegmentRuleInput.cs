using System.Text.Json;
using Crm.Customers;
using Crm.Segments;
using Crm.Web.Api;

namespace Crm.Web.Segments;

/// <summary>Rules as a request carries them, in a query string's filter or a body: read, or each problem reported by its place.</summary>
public static class SegmentRuleInput
{
    public const int MaxLength = 16 * 1024;

    public static SegmentRule? Read(ValidationErrors errors, string field, string json, IReadOnlyDictionary<string, FieldDefinition> definitions)
    {
        if (json.Length > MaxLength)
        {
            errors.Add(field, $"At most {MaxLength} characters of JSON.");
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = SegmentRules.MaxDepth * 2 + 4 });
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            errors.Add(field, """Not a JSON rule: e.g. {"field":"tags","op":"contains","value":"vip"}.""");
            return null;
        }

        using (document)
        {
            return Read(errors, field, document.RootElement, definitions);
        }
    }

    /// <summary>Rules as a request body carries them: read, or each problem reported by its place under <paramref name="field"/>.</summary>
    public static SegmentRule? Read(ValidationErrors errors, string field, JsonElement json, IReadOnlyDictionary<string, FieldDefinition> definitions)
    {
        var (rule, problems) = SegmentRules.Parse(json, definitions, field);
        foreach (var problem in problems)
        {
            errors.Add(problem.Field, problem.Message);
        }

        return rule;
    }
}
