using System.Text.Json;
using Crm.Customers;
using Crm.Web.Customers;

namespace Crm.Web.DataQuality;

/// <summary>What one customer's record passes and fails of the tenant's rules: required fields, formats (today's rules for emails, phones, countries), custom fields' values, freshness.</summary>
/// <param name="Score">The share of its checks it passes, 0–100.</param>
public sealed record CustomerQuality(double Score, IReadOnlyList<(string Rule, string Field)> Problems, IReadOnlyList<string> Filled)
{
    public const string Required = "required";
    public const string Format = "format";
    public const string AllowedValues = "allowedValues";
    public const string Freshness = "freshness";

    /// <summary>The fields whose completeness a report shows, beside the required ones.</summary>
    public static readonly IReadOnlyList<string> UsualFields =
        ["displayName", "givenName", "familyName", "emails", "phones", "company", "jobTitle", "country", "address", "tags", "ownerId", "externalId"];

    public static CustomerQuality Of(Customer customer, Crm.DataQuality.DataQualityRules rules, IReadOnlyDictionary<string, FieldDefinition> fields, DateTimeOffset now)
    {
        var profile = customer.Profile;
        var problems = new List<(string, string)>();
        var checks = 0;
        var filled = UsualFields.Concat(rules.Required).Distinct().Where(f => IsFilled(profile, f)).ToList();
        foreach (var field in rules.Required)
        {
            checks++;
            if (!filled.Contains(field))
            {
                problems.Add((Required, field));
            }
        }

        foreach (var email in profile.Emails)
        {
            checks++;
            if (!EmailAddresses.TryNormalize(email, out var normalized) || normalized != email)
            {
                problems.Add((Format, "emails"));
            }
        }

        foreach (var phone in profile.Phones)
        {
            checks++;
            if (!TelephoneNumbers.TryNormalize(phone, profile.Country ?? profile.Address?.Country, out var e164) || e164 != phone)
            {
                problems.Add((Format, "phones"));
            }
        }

        if (profile.Country is { } country)
        {
            checks++;
            if (!TelephoneNumbers.IsCountry(country))
            {
                problems.Add((Format, "country"));
            }
        }

        foreach (var (name, value) in profile.Attributes)
        {
            if (fields.GetValueOrDefault(name) is { } field)
            {
                checks++;
                if (CustomFields.Convert(field, JsonSerializer.SerializeToElement(CustomerResponse.AttributeJson(value))).Value is null)
                {
                    problems.Add((AllowedValues, $"attributes.{name}"));
                }
            }
        }

        checks++;
        var touched = new[] { customer.UpdatedAt, customer.Activity.LastContactAt ?? DateTimeOffset.MinValue }.Max();
        if (now - touched > rules.StaleAfter)
        {
            problems.Add((Freshness, "updatedAt"));
        }

        return new CustomerQuality(Math.Round(100.0 * (checks - problems.Count) / checks, 1), problems, filled);
    }

    private static bool IsFilled(CustomerProfile profile, string field) => field switch
    {
        "displayName" => profile.DisplayName.Length > 0,
        "givenName" => profile.GivenName is not null,
        "familyName" => profile.FamilyName is not null,
        "emails" => !profile.Emails.IsEmpty,
        "phones" => !profile.Phones.IsEmpty,
        "company" => profile.Company is not null,
        "jobTitle" => profile.JobTitle is not null,
        "country" => profile.Country is not null,
        "address" => profile.Address is not null,
        "tags" => !profile.Tags.IsEmpty,
        "ownerId" => profile.OwnerId is not null,
        "externalId" => profile.ExternalId is not null,
        _ when field.StartsWith("attributes.", StringComparison.Ordinal) => profile.Attributes.ContainsKey(field["attributes.".Length..]),
        _ => false,
    };

    /// <summary>The fields a rule may require.</summary>
    public static bool IsField(string field) =>
        UsualFields.Contains(field) || (field.StartsWith("attributes.", StringComparison.Ordinal) && AttributeNames.IsValid(field["attributes.".Length..]));
}
