using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Crm.Customers;

namespace Crm.Ingestion;

/// <summary>
/// Segment's traits on a customer profile: the reserved ones (name, email, phone, company, title, address…) fill
/// the profile's fields, other scalar traits become typed attributes. Traits an event leaves out change nothing.
/// </summary>
public static partial class ProfileTraits
{
    private const int MaxAttributes = 100;
    private const int MaxText = 1000;

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "name", "firstName", "first_name", "lastName", "last_name", "email", "phone", "company", "title", "address",
    };

    public static CustomerProfile Apply(CustomerProfile profile, string? traitsJson)
    {
        if (traitsJson is null)
        {
            return profile;
        }

        using var document = JsonDocument.Parse(traitsJson);
        var traits = document.RootElement;
        if (traits.ValueKind != JsonValueKind.Object)
        {
            return profile;
        }

        var newGiven = Text(traits, "firstName") ?? Text(traits, "first_name");
        var newFamily = Text(traits, "lastName") ?? Text(traits, "last_name");
        var given = newGiven ?? profile.GivenName;
        var family = newFamily ?? profile.FamilyName;
        var name = Text(traits, "name")
            ?? (newGiven is not null || newFamily is not null ? string.Join(' ', new[] { given, family }.Where(n => n is not null)) : null);
        var emails = Text(traits, "email") is { } email && EmailAddresses.TryNormalize(email, out var normalized) && !profile.Emails.Contains(normalized)
            && profile.Emails.Length < CustomerIdentities.MaxPerKind[Ingestion.IdentityKind.Email]
                ? profile.Emails.Add(normalized)
                : profile.Emails;
        var phones = Text(traits, "phone") is { } phone && TelephoneNumbers.TryNormalize(phone, profile.Country, out var e164) && !profile.Phones.Contains(e164)
            && profile.Phones.Length < CustomerIdentities.MaxPerKind[Ingestion.IdentityKind.Phone]
                ? profile.Phones.Add(e164)
                : profile.Phones;
        var company = traits.TryGetProperty("company", out var c)
            ? c.ValueKind == JsonValueKind.Object ? Text(c, "name") : Text(traits, "company")
            : null;

        return profile with
        {
            DisplayName = name ?? profile.DisplayName,
            GivenName = given,
            FamilyName = family,
            Emails = emails,
            Phones = phones,
            Company = company ?? profile.Company,
            JobTitle = Text(traits, "title") ?? profile.JobTitle,
            Address = traits.TryGetProperty("address", out var address) && address.ValueKind == JsonValueKind.Object
                ? Address(address) ?? profile.Address
                : profile.Address,
            Attributes = Attributes(profile.Attributes, traits),
        };
    }

    private static PostalAddress? Address(JsonElement address)
    {
        var country = Text(address, "country")?.ToUpperInvariant();
        var result = new PostalAddress
        {
            Line1 = Text(address, "street"),
            City = Text(address, "city"),
            Region = Text(address, "state"),
            PostalCode = Text(address, "postalCode") ?? Text(address, "postal_code"),
            Country = country is { Length: 2 } && TelephoneNumbers.IsCountry(country) ? country : null,
        };
        return result == new PostalAddress() ? null : result;
    }

    private static ImmutableDictionary<string, AttributeValue> Attributes(ImmutableDictionary<string, AttributeValue> attributes, JsonElement traits)
    {
        var result = attributes.ToBuilder();
        foreach (var trait in traits.EnumerateObject())
        {
            if (Reserved.Contains(trait.Name) || !AttributeName().IsMatch(trait.Name) || (result.Count >= MaxAttributes && !result.ContainsKey(trait.Name)))
            {
                continue;
            }

            AttributeValue? value = trait.Value.ValueKind switch
            {
                JsonValueKind.True or JsonValueKind.False => AttributeValue.Boolean(trait.Value.GetBoolean()),
                JsonValueKind.Number when trait.Value.TryGetDecimal(out var number) => AttributeValue.Number(number),
                JsonValueKind.String when DateOnly.TryParseExact(trait.Value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                    => AttributeValue.Date(date),
                JsonValueKind.String when trait.Value.GetString()!.Length <= MaxText => AttributeValue.Text(trait.Value.GetString()!),
                _ => null,
            };
            if (value is not null)
            {
                result[trait.Name] = value;
            }
        }

        return result.ToImmutable();
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Trim() is { Length: > 0 and <= 200 } text
            ? text
            : null;

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex AttributeName();
}
