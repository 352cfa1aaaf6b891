using System.Globalization;
using System.Text.Json;
using Crm.Customers;
using Crm.Imports;
using Crm.Web.Customers;
using Crm.Web.Timeline;

namespace Crm.Web.Imports;

/// <summary>The customer fields a column can be mapped to, by the API's names, and how a row's text becomes a profile request.</summary>
public static class ImportFields
{
    public const string AttributePrefix = "attributes.";

    public static readonly IReadOnlyList<string> Names =
    [
        "externalId", "displayName", "givenName", "familyName", "emails", "phones", "company", "jobTitle", "country",
        "address.line1", "address.line2", "address.city", "address.region", "address.postalCode", "address.country", "tags", "lifecycle",
    ];

    public const string InteractionPrefix = "interaction.";
    public const string MetadataPrefix = "interaction.metadata.";

    public static readonly IReadOnlyList<string> InteractionNames =
    [
        "interaction.channel", "interaction.direction", "interaction.occurredAt", "interaction.subject", "interaction.body",
        "interaction.durationSeconds", "interaction.outcome", "interaction.externalId",
    ];

    /// <summary>Lists in one cell: "a@example.com; b@example.com".</summary>
    private static readonly char[] ListSeparators = [';', ','];

    /// <summary>Customers: their fields. Interactions: the interaction's fields, and the customer's match key.</summary>
    public static bool IsField(ImportKind kind, ImportMatchKey matchOn, string field) => kind == ImportKind.Interactions
        ? field == Of(matchOn) || InteractionNames.Contains(field, StringComparer.Ordinal)
            || (field.StartsWith(MetadataPrefix, StringComparison.Ordinal) && field.Length > MetadataPrefix.Length)
        : Names.Contains(field, StringComparer.Ordinal)
            || (field.StartsWith(AttributePrefix, StringComparison.Ordinal) && AttributeNames.IsValid(field[AttributePrefix.Length..]));

    /// <summary>What a column may be mapped to, in words, for the error that says a mapping is not one.</summary>
    public static string Described(ImportKind kind, ImportMatchKey matchOn) => kind == ImportKind.Interactions
        ? $"one of {Of(matchOn)}, {string.Join(", ", InteractionNames)}, or {MetadataPrefix}<key>"
        : $"one of {string.Join(", ", Names)}, or {AttributePrefix}<name>";

    /// <summary>The field that finds the existing customer: it must be mapped.</summary>
    public static string Of(ImportMatchKey key) => key == ImportMatchKey.Email ? "emails" : "externalId";

    /// <param name="values">Field to the row's text for it; blank cells are absent.</param>
    /// <param name="fields">The tenant's custom fields: their cells go as text, for the field to read as its type.</param>
    /// <param name="culture">How the file writes numbers.</param>
    public static CustomerProfileRequest Request(IReadOnlyDictionary<string, string> values, IReadOnlyDictionary<string, FieldDefinition> fields, CultureInfo culture)
    {
        string? Text(string field) => values.GetValueOrDefault(field);
        List<string?>? List(string field) => Text(field) is { } text
            ? [.. text.Split(ListSeparators, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)]
            : null;
        var address = new AddressRequest
        {
            Line1 = Text("address.line1"),
            Line2 = Text("address.line2"),
            City = Text("address.city"),
            Region = Text("address.region"),
            PostalCode = Text("address.postalCode"),
            Country = Text("address.country"),
        };
        var attributes = values.Where(v => v.Key.StartsWith(AttributePrefix, StringComparison.Ordinal))
            .ToDictionary(v => v.Key[AttributePrefix.Length..], v => fields.ContainsKey(v.Key[AttributePrefix.Length..]) ? JsonSerializer.SerializeToElement(v.Value) : Typed(v.Value, culture));
        return new CustomerProfileRequest
        {
            ExternalId = Text("externalId"),
            DisplayName = Text("displayName"),
            GivenName = Text("givenName"),
            FamilyName = Text("familyName"),
            Emails = List("emails"),
            Phones = List("phones"),
            Company = Text("company"),
            JobTitle = Text("jobTitle"),
            Country = Text("country"),
            Address = address == new AddressRequest() ? null : address,
            Tags = List("tags"),
            Lifecycle = Text("lifecycle"),
            Attributes = attributes.Count == 0 ? null : attributes,
        };
    }

    public static InteractionRequest Interaction(IReadOnlyDictionary<string, string> values)
    {
        string? Text(string field) => values.GetValueOrDefault(InteractionPrefix + field);
        var metadata = values.Where(v => v.Key.StartsWith(MetadataPrefix, StringComparison.Ordinal))
            .ToDictionary(v => v.Key[MetadataPrefix.Length..], v => (string?)v.Value);
        return new InteractionRequest
        {
            Channel = Text("channel"),
            Direction = Text("direction"),
            OccurredAt = Text("occurredAt"),
            Subject = Text("subject"),
            Body = Text("body"),
            DurationSeconds = Text("durationSeconds") is { } seconds
                ? int.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : -1
                : null,
            Outcome = Text("outcome"),
            ExternalId = Text("externalId"),
            Metadata = metadata.Count == 0 ? null : metadata,
        };
    }

    /// <summary>"01234" is a code (a postcode, an account number), not the number 1234.</summary>
    private static bool HasLeadingZero(string text) => text.TrimStart('-', '+') is { Length: > 1 } digits && digits[0] == '0' && char.IsAsciiDigit(digits[1]);

    /// <summary>
    /// A cell of an attribute no custom field defines, as what it most plainly is: a number written the invariant way,
    /// true or false, else text (a yyyy-MM-dd date is read as one by the profile's rules).
    /// </summary>
    private static JsonElement Typed(string text, CultureInfo culture) =>
        !HasLeadingZero(text) && decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, culture, out var number)
            ? JsonSerializer.SerializeToElement(number)
            : bool.TryParse(text, out var flag) ? JsonSerializer.SerializeToElement(flag)
            : JsonSerializer.SerializeToElement(text);
}
