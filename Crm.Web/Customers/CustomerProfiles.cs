using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Crm.Customers;
using Crm.Ingestion;
using Crm.Security;
using Crm.Web.Api;

namespace Crm.Web.Customers;

/// <summary>
/// Checks a profile request field by field and turns it into the normalized profile the grain stores:
/// trimmed text, lower-cased emails, E.164 phones, upper-case country codes, typed attributes.
/// </summary>
public sealed partial class CustomerProfiles(IAccountStore accounts, IGrainFactory grains, TimeProvider time)
{
    public const int MaxEmails = 10;
    public const int MaxPhones = 10;
    public const int MaxTags = CustomerProfile.MaxTags;
    public const int MaxTagLength = 50;
    public const int MaxAttributes = 100;
    public const int MaxAttributeTextLength = 1000;

    /// <param name="current">
    /// The profile being changed, if any: consent that did not change keeps when it was given, and an email or phone it
    /// holds already is kept as it is, so that a value stored before today's rules (a number libphonenumber no longer
    /// accepts, say) never blocks an edit of another field.
    /// </param>
    public async Task<(CustomerProfile? Profile, ValidationErrors Errors)> ValidateAsync(
        CustomerProfileRequest request, CustomerProfile? current, string tenantId, Actor actor, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var givenName = errors.Text("givenName", request.GivenName, 100);
        var familyName = errors.Text("familyName", request.FamilyName, 100);
        var displayName = errors.Text("displayName", request.DisplayName, 200);
        if (displayName is null)
        {
            displayName = string.Join(' ', new[] { givenName, familyName }.Where(n => n is not null));
            if (displayName.Length == 0)
            {
                errors.Add("displayName", "Required, unless givenName or familyName is given.");
            }
        }

        var country = Country(errors, "country", request.Country);
        var address = Address(errors, request.Address);
        var ownerId = errors.Text("ownerId", request.OwnerId, 64);
        if (ownerId is not null && (!Guid.TryParse(ownerId, out var ownerGuid) || await accounts.FindUserAsync(tenantId, ownerGuid, cancellationToken) is null))
        {
            errors.Add("ownerId", "No user of your tenant has this id.");
        }

        var externalId = errors.Text("externalId", request.ExternalId, IdentityRules.MaxIdLength);
        if (externalId is not null && IdentityRules.IsJunk(externalId))
        {
            errors.Add("externalId", $"'{externalId}' names nobody: values such as 'null', 'test' or '0' are not ids.");
        }

        var profile = new CustomerProfile
        {
            ExternalId = externalId,
            DisplayName = displayName,
            GivenName = givenName,
            FamilyName = familyName,
            Emails = Emails(errors, request.Emails, current?.Emails ?? []),
            Phones = Phones(errors, request.Phones, country ?? address?.Country, current?.Phones ?? []),
            Company = errors.Text("company", request.Company, 200),
            JobTitle = errors.Text("jobTitle", request.JobTitle, 200),
            Country = country,
            Address = address,
            Tags = Tags(errors, request.Tags),
            Attributes = Attributes(errors, request.Attributes, await FieldsAsync(tenantId), current?.Attributes ?? ImmutableDictionary<string, AttributeValue>.Empty, CultureInfo.InvariantCulture),
            Lifecycle = errors.Enum<LifecycleStage>("lifecycle", request.Lifecycle) ?? LifecycleStage.Lead,
            OwnerId = ownerId,
            Consent = Consent(errors, request.Consent, current?.Consent, actor),
        };
        return (errors.Any ? null : profile, errors);
    }

    /// <summary>
    /// The fields a request mentions, checked by the same rules as a whole profile, as traits that change only those
    /// fields (an imported row): no field is required, and owner and consent are not among them.
    /// </summary>
    /// <param name="fields">The tenant's custom fields (<see cref="FieldsAsync"/>).</param>
    /// <param name="culture">How the request's text writes numbers and dates.</param>
    public static Traits Fields(ValidationErrors errors, CustomerProfileRequest request, IReadOnlyDictionary<string, FieldDefinition> fields, CultureInfo culture)
    {
        var country = Country(errors, "country", request.Country);
        var address = Address(errors, request.Address);
        var externalId = errors.Text("externalId", request.ExternalId, IdentityRules.MaxIdLength);
        if (externalId is not null && IdentityRules.IsJunk(externalId))
        {
            errors.Add("externalId", $"'{externalId}' names nobody: values such as 'null', 'test' or '0' are not ids.");
        }

        var emails = Emails(errors, request.Emails, []);
        var phones = Phones(errors, request.Phones, country ?? address?.Country, []);
        return new Traits
        {
            ExternalId = externalId,
            DisplayName = errors.Text("displayName", request.DisplayName, 200),
            GivenName = errors.Text("givenName", request.GivenName, 100),
            FamilyName = errors.Text("familyName", request.FamilyName, 100),
            Email = emails.FirstOrDefault(),
            MoreEmails = emails.IsEmpty ? [] : emails[1..],
            Phone = phones.FirstOrDefault(),
            MorePhones = phones.IsEmpty ? [] : phones[1..],
            Company = errors.Text("company", request.Company, 200),
            JobTitle = errors.Text("jobTitle", request.JobTitle, 200),
            Country = country,
            Address = address,
            Tags = Tags(errors, request.Tags),
            Attributes = Attributes(errors, request.Attributes, fields, ImmutableDictionary<string, AttributeValue>.Empty, culture),
            Lifecycle = errors.Enum<LifecycleStage>("lifecycle", request.Lifecycle),
        };
    }

    /// <summary>The tenant's custom field definitions by name.</summary>
    public async Task<IReadOnlyDictionary<string, FieldDefinition>> FieldsAsync(string tenantId) =>
        (await grains.GetGrain<IFieldDefinitionsGrain>(tenantId).ListAsync()).ToDictionary(f => f.Name, StringComparer.Ordinal);

    /// <summary>The request that would produce this profile: what a merge patch is applied to.</summary>
    public static CustomerProfileRequest ToRequest(CustomerProfile profile) => new()
    {
        DisplayName = profile.DisplayName,
        GivenName = profile.GivenName,
        FamilyName = profile.FamilyName,
        Emails = [.. profile.Emails],
        Phones = [.. profile.Phones],
        Company = profile.Company,
        JobTitle = profile.JobTitle,
        Country = profile.Country,
        Address = profile.Address is { } a
            ? new AddressRequest { Line1 = a.Line1, Line2 = a.Line2, City = a.City, Region = a.Region, PostalCode = a.PostalCode, Country = a.Country }
            : null,
        Tags = [.. profile.Tags],
        Attributes = profile.Attributes.ToDictionary(a => a.Key, a => JsonSerializer.SerializeToElement(CustomerResponse.AttributeJson(a.Value))),
        Lifecycle = JsonNamingPolicy.CamelCase.ConvertName(profile.Lifecycle.ToString()),
        OwnerId = profile.OwnerId,
        ExternalId = profile.ExternalId,
        Consent = profile.Consent.ToDictionary(
            c => JsonNamingPolicy.CamelCase.ConvertName(c.Key.ToString()),
            c => (string?)JsonNamingPolicy.CamelCase.ConvertName(c.Value.Status.ToString())),
    };

    /// <summary>A country as an ISO 3166-1 alpha-2 code, from its code or its name (see <see cref="Countries"/>).</summary>
    private static string? Country(ValidationErrors errors, string field, string? value)
    {
        var text = errors.Text(field, value, 100);
        if (text is null)
        {
            return null;
        }

        if (!Countries.TryNormalize(text, out var code))
        {
            errors.Add(field, $"'{value}' is not a country: an ISO 3166-1 code (GB, DEU) or a country's name.");
        }

        return code;
    }

    private static PostalAddress? Address(ValidationErrors errors, AddressRequest? request)
    {
        if (request is null)
        {
            return null;
        }

        var address = new PostalAddress
        {
            Line1 = errors.Text("address.line1", request.Line1, 200),
            Line2 = errors.Text("address.line2", request.Line2, 200),
            City = errors.Text("address.city", request.City, 100),
            Region = errors.Text("address.region", request.Region, 100),
            PostalCode = errors.Text("address.postalCode", request.PostalCode, 20),
            Country = Country(errors, "address.country", request.Country),
        };
        return address == new PostalAddress() ? null : address;
    }

    /// <param name="stored">What the customer holds already: kept as it is.</param>
    private static ImmutableArray<string> Emails(ValidationErrors errors, List<string?>? values, ImmutableArray<string> stored) =>
        errors.Items("emails", values, MaxEmails, value =>
            stored.Contains(value) ? (value, null)
            : EmailAddresses.TryNormalize(value, out var email) ? (email, null) : (null, "Not a valid email address."));

    /// <param name="stored">What the customer holds already: kept as it is.</param>
    private static ImmutableArray<string> Phones(ValidationErrors errors, List<string?>? values, string? country, ImmutableArray<string> stored) =>
        errors.Items("phones", values, MaxPhones, value =>
            stored.Contains(value) ? (value, null)
            : TelephoneNumbers.TryNormalize(value, country, out var e164) ? (e164, null)
            : country is null && !value.TrimStart().StartsWith('+') ? (null, "Not a valid phone number: start it with + and the country code, or set the customer's country.")
            : (null, "Not a valid phone number."));

    private static ImmutableArray<string> Tags(ValidationErrors errors, List<string?>? values) =>
        errors.Items("tags", values, MaxTags, value =>
        {
            var tag = value.Trim().ToLowerInvariant();
            return TagPattern().IsMatch(tag) ? (tag, null) : (null, $"1 to {MaxTagLength} letters, digits, spaces or - _ : / . starting with a letter or digit.");
        });

    /// <param name="fields">The tenant's custom fields: an attribute of one of their names takes only that field's values.</param>
    /// <param name="stored">What the customer holds already: kept as it is, even where a definition came after it.</param>
    private static ImmutableDictionary<string, AttributeValue> Attributes(ValidationErrors errors, Dictionary<string, JsonElement>? values,
        IReadOnlyDictionary<string, FieldDefinition> fields, ImmutableDictionary<string, AttributeValue> stored, CultureInfo culture) =>
        errors.Entries<JsonElement, AttributeValue>("attributes", values, MaxAttributes, (key, value) =>
        {
            if (!AttributeNames.IsValid(key))
            {
                return (null, "Attribute names are 1 to 64 letters, digits or _ . - starting with a letter.");
            }

            if (JsonInput.Check(value) is { } unreadable)
            {
                return (null, unreadable.Message);
            }

            if (fields.GetValueOrDefault(key) is { } field)
            {
                var (converted, problem) = CustomFields.Convert(field, value, culture);
                return converted is null && stored.GetValueOrDefault(key) is { } kept && Same(kept, value) ? (kept, null) : (converted, problem);
            }

            AttributeValue? typed = value.ValueKind switch
            {
                JsonValueKind.True or JsonValueKind.False => AttributeValue.Boolean(value.GetBoolean()),
                JsonValueKind.Number when value.TryGetDecimal(out var number) => AttributeValue.Number(number),
                JsonValueKind.String when DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                    => AttributeValue.Date(date),
                JsonValueKind.String when value.GetString()!.Length <= MaxAttributeTextLength => AttributeValue.Text(value.GetString()!),
                _ => null,
            };
            return typed is null
                ? (null, $"A string of at most {MaxAttributeTextLength} characters, a number, true or false, or a date (yyyy-MM-dd).")
                : (typed, null);
        });

    private ImmutableDictionary<ConsentChannel, Consent> Consent(
        ValidationErrors errors, Dictionary<string, string?>? values, ImmutableDictionary<ConsentChannel, Consent>? current, Actor actor)
    {
        var result = ImmutableDictionary.CreateBuilder<ConsentChannel, Consent>();
        foreach (var (key, value) in values ?? [])
        {
            var channel = errors.Enum<ConsentChannel>($"consent.{key}", key);
            if (string.IsNullOrWhiteSpace(value))
            {
                errors.Add($"consent.{key}", $"One of: {string.Join(", ", ValidationErrors.EnumNames<ConsentStatus>())}.");
            }

            var status = errors.Enum<ConsentStatus>($"consent.{key}", value);

            if (channel is { } c && status is { } s)
            {
                result[c] = current?.GetValueOrDefault(c) is { } kept && kept.Status == s
                    ? kept
                    : new Consent(s, time.GetUtcNow(), $"user:{actor.Id}");
            }
        }

        return result.ToImmutable();
    }

    /// <summary>Whether a value sent is the one stored (as the API shows it).</summary>
    private static bool Same(AttributeValue stored, JsonElement sent) =>
        JsonSerializer.SerializeToElement(CustomerResponse.AttributeJson(stored)).GetRawText() == sent.GetRawText();

    [GeneratedRegex(@"^[\p{L}\p{N}][\p{L}\p{N} _:/.\-]{0,49}$")]
    private static partial Regex TagPattern();
}
