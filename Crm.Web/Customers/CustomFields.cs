using System.Globalization;
using System.Text.Json;
using Crm.Customers;

namespace Crm.Web.Customers;

/// <summary>A value as the custom field it is defined as: from JSON (the API) or from text (an imported cell, sent as a JSON string).</summary>
public static class CustomFields
{
    private static readonly string[] True = ["true", "yes", "y", "1"];
    private static readonly string[] False = ["false", "no", "n", "0"];

    /// <param name="culture">How text writes numbers and dates (an import's culture); a yyyy-MM-dd date is read in any.</param>
    /// <returns>The typed value, or why the value is not one of the field's.</returns>
    public static (AttributeValue? Value, string? Problem) Convert(FieldDefinition field, JsonElement value, CultureInfo? culture = null)
    {
        culture ??= CultureInfo.InvariantCulture;
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : null;
        switch (field.Type)
        {
            case FieldType.Number when value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number):
                return (AttributeValue.Number(number), null);
            case FieldType.Number when text is not null && decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, culture, out var parsed):
                return (AttributeValue.Number(parsed), null);
            case FieldType.Number:
                return (null, $"{field.Label} is a number (written like 1234.5).");
            case FieldType.Boolean when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                return (AttributeValue.Boolean(value.GetBoolean()), null);
            case FieldType.Boolean when text is not null && (True.Contains(text, StringComparer.OrdinalIgnoreCase) || False.Contains(text, StringComparer.OrdinalIgnoreCase)):
                return (AttributeValue.Boolean(True.Contains(text, StringComparer.OrdinalIgnoreCase)), null);
            case FieldType.Boolean:
                return (null, $"{field.Label} is true or false (yes or no).");
            case FieldType.Date when text is not null && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date):
                return (AttributeValue.Date(date), null);
            case FieldType.Date when text is not null && !culture.Equals(CultureInfo.InvariantCulture) && DateOnly.TryParse(text, culture, DateTimeStyles.None, out var local):
                return (AttributeValue.Date(local), null);
            case FieldType.Date:
                return (null, $"{field.Label} is a date written yyyy-MM-dd.");
            case FieldType.OneOf when text is not null && field.Options.FirstOrDefault(o => string.Equals(o, text, StringComparison.OrdinalIgnoreCase)) is { } option:
                return (AttributeValue.Text(option), null);
            case FieldType.OneOf:
                return (null, $"{field.Label} is one of: {string.Join(", ", field.Options)}.");
            case FieldType.Text when text is not null && text.Length <= CustomerProfiles.MaxAttributeTextLength:
                return (AttributeValue.Text(text), null);
            default:
                return (null, $"{field.Label} is text of at most {CustomerProfiles.MaxAttributeTextLength} characters.");
        }
    }
}
