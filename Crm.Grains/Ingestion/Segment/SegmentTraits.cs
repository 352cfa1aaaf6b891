using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Crm.Customers;

namespace Crm.Ingestion;

/// <summary>
/// Segment's traits as profile fields: the reserved ones (name, firstName, lastName, email, phone, company, title,
/// address) fill the profile's fields, other scalar traits become typed attributes. Values too long to be a name or an
/// attribute are left out, as a profile takes only what it can show.
/// </summary>
public static class SegmentTraits
{
    public const int MaxAttributes = 100;
    public const int MaxAttributeText = 1000;
    private const int MaxText = 200;

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "name", "firstName", "first_name", "lastName", "last_name", "email", "phone", "company", "title", "address",
    };

    /// <param name="traits">Checked by <see cref="JsonInput.Check"/>.</param>
    public static Traits Read(JsonElement traits)
    {
        var company = JsonFields.Object(traits, "company") is { ValueKind: JsonValueKind.Object } c ? JsonFields.Text(c, "name", MaxText) : JsonFields.Text(traits, "company", MaxText);
        var address = JsonFields.Object(traits, "address") is { ValueKind: JsonValueKind.Object } a ? Address(a) : null;
        return new Traits
        {
            DisplayName = JsonFields.Text(traits, "name", MaxText),
            GivenName = JsonFields.Text(traits, "firstName", MaxText) ?? JsonFields.Text(traits, "first_name", MaxText),
            FamilyName = JsonFields.Text(traits, "lastName", MaxText) ?? JsonFields.Text(traits, "last_name", MaxText),
            Email = IdentityRules.Email(JsonFields.Text(traits, "email"))?.Value,
            Phone = IdentityRules.Phone(JsonFields.Text(traits, "phone", MaxText) ?? "", address?.Country)?.Value,
            Company = company,
            JobTitle = JsonFields.Text(traits, "title", MaxText),
            Address = address,
            Attributes = Attributes(traits),
        };
    }

    /// <summary>The country of the traits' address, where a phone number written without a country code is dialled.</summary>
    public static string? Country(JsonElement traits) =>
        JsonFields.Object(traits, "address") is { ValueKind: JsonValueKind.Object } address ? Address(address)?.Country : null;

    private static PostalAddress? Address(JsonElement address)
    {
        var country = JsonFields.Text(address, "country")?.ToUpperInvariant();
        var result = new PostalAddress
        {
            Line1 = JsonFields.Text(address, "street", MaxText),
            City = JsonFields.Text(address, "city", MaxText),
            Region = JsonFields.Text(address, "state", MaxText),
            PostalCode = JsonFields.Text(address, "postalCode", MaxText) ?? JsonFields.Text(address, "postal_code", MaxText),
            Country = country is { Length: 2 } && TelephoneNumbers.IsCountry(country) ? country : null,
        };
        return result == new PostalAddress() ? null : result;
    }

    private static ImmutableDictionary<string, AttributeValue> Attributes(JsonElement traits)
    {
        var result = ImmutableDictionary.CreateBuilder<string, AttributeValue>(StringComparer.Ordinal);
        foreach (var trait in traits.EnumerateObject())
        {
            if (result.Count >= MaxAttributes)
            {
                break;
            }

            if (Reserved.Contains(trait.Name) || !AttributeNames.IsValid(trait.Name))
            {
                continue;
            }

            AttributeValue? value = trait.Value.ValueKind switch
            {
                JsonValueKind.True or JsonValueKind.False => AttributeValue.Boolean(trait.Value.GetBoolean()),
                JsonValueKind.Number when trait.Value.TryGetDecimal(out var number) => AttributeValue.Number(number),
                JsonValueKind.String when DateOnly.TryParseExact(trait.Value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                    => AttributeValue.Date(date),
                JsonValueKind.String when trait.Value.GetString()!.Length <= MaxAttributeText => AttributeValue.Text(trait.Value.GetString()!),
                _ => null,
            };
            if (value is not null)
            {
                result[trait.Name] = value;
            }
        }

        return result.ToImmutable();
    }
}
