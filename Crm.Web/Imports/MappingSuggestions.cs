using System.Text.RegularExpressions;
using Crm.Customers;
using Crm.Imports;
using Crm.Ingestion;

namespace Crm.Web.Imports;

/// <summary>
/// Which field a column most likely holds, from its header ("E-mail address" → emails) and, failing that, from its
/// values (a column of email addresses → emails); for customers, any other column becomes an attribute of its name.
/// </summary>
public static partial class MappingSuggestions
{
    private static readonly (string Field, string[] Headers)[] CustomerHeaders =
    [
        ("externalId", ["id", "externalid", "customerid", "customerno", "customernumber", "clientid", "accountid", "accountnumber", "userid"]),
        ("displayName", ["name", "fullname", "displayname", "customername", "contactname", "contact"]),
        ("givenName", ["firstname", "givenname", "first", "forename"]),
        ("familyName", ["lastname", "surname", "familyname", "last"]),
        ("emails", ["email", "emails", "emailaddress", "mail", "emailid"]),
        ("phones", ["phone", "phones", "telephone", "tel", "mobile", "cell", "phonenumber", "mobilephone"]),
        ("company", ["company", "companyname", "organisation", "organization", "employer", "account", "accountname"]),
        ("jobTitle", ["title", "jobtitle", "position", "role"]),
        ("country", ["country", "countrycode"]),
        ("address.line1", ["address", "street", "address1", "addressline1", "streetaddress"]),
        ("address.line2", ["address2", "addressline2"]),
        ("address.city", ["city", "town"]),
        ("address.region", ["state", "region", "county", "province"]),
        ("address.postalCode", ["zip", "zipcode", "postcode", "postalcode"]),
        ("tags", ["tags", "tag", "labels"]),
        ("lifecycle", ["lifecycle", "lifecyclestage", "stage"]),
    ];

    private static readonly (string Field, string[] Headers)[] InteractionHeaders =
    [
        ("interaction.channel", ["channel", "type", "medium"]),
        ("interaction.direction", ["direction"]),
        ("interaction.occurredAt", ["occurredat", "date", "time", "datetime", "timestamp", "when", "createdat"]),
        ("interaction.subject", ["subject", "title", "summary"]),
        ("interaction.body", ["body", "notes", "note", "description", "text", "message"]),
        ("interaction.durationSeconds", ["duration", "durationseconds", "seconds"]),
        ("interaction.outcome", ["outcome", "result", "disposition"]),
        ("interaction.externalId", ["interactionid", "activityid", "ticketid", "callid"]),
    ];

    /// <param name="samples">The first rows' values of each column, in the file's column order.</param>
    public static IReadOnlyDictionary<string, string> Suggest(ImportKind kind, ImportMatchKey matchOn, IReadOnlyList<(string Column, IReadOnlyList<string> Values)> samples)
    {
        var table = kind == ImportKind.Interactions
            ? [(ImportFields.Of(matchOn), matchOn == ImportMatchKey.Email ? ["email", "emailaddress", "customeremail"] : ["customerid", "customer", "externalid", "clientid", "accountid", "id"]), .. InteractionHeaders]
            : CustomerHeaders;
        var mapping = new Dictionary<string, string>(StringComparer.Ordinal);
        void Suggest(string column, string? field)
        {
            if (field is not null && !mapping.ContainsKey(column) && !mapping.ContainsValue(field) && ImportFields.IsField(kind, matchOn, field))
            {
                mapping[column] = field;
            }
        }

        // A column named after a field is that field (a file this product exported); then what the values are beats
        // what the header says ("Contact" holding addresses is the emails), which beats a guess.
        foreach (var (column, _) in samples)
        {
            Suggest(column, column);
        }

        foreach (var (column, values) in samples)
        {
            Suggest(column, Looks(values));
        }

        foreach (var (column, _) in samples)
        {
            Suggest(column, table.FirstOrDefault(t => t.Headers.Contains(Simplified(column))).Field);
        }

        if (kind == ImportKind.Customers)
        {
            foreach (var (column, _) in samples)
            {
                Suggest(column, AttributeName(column) is { } name ? ImportFields.AttributePrefix + name : null);
            }
        }

        return mapping;
    }

    /// <summary>Emails or phone numbers (written with a country code) when most of a column's values are.</summary>
    private static string? Looks(IReadOnlyList<string> values)
    {
        var filled = values.Where(v => v.Length > 0).ToList();
        if (filled.Count == 0)
        {
            return null;
        }

        return filled.Count(v => IdentityRules.Email(v) is not null) * 2 > filled.Count ? "emails"
            : filled.Count(v => v.TrimStart().StartsWith('+') && TelephoneNumbers.TryNormalize(v, null, out _)) * 2 > filled.Count ? "phones"
            : null;
    }

    private static string Simplified(string header) => NotLetterOrDigit().Replace(header.ToLowerInvariant(), "");

    /// <summary>The header as an attribute name ("Monthly charges" → monthly_charges), when it makes one.</summary>
    private static string? AttributeName(string header)
    {
        var name = NotNameCharacter().Replace(header.Trim(), "_").Trim('_');
        name = name.Length > 64 ? name[..64] : name;
        return name.Length > 0 && char.IsLetter(name[0]) && AttributeNames.IsValid(name) ? name : null;
    }

    [GeneratedRegex(@"[^\p{L}\p{N}]")]
    private static partial Regex NotLetterOrDigit();

    [GeneratedRegex(@"[^A-Za-z0-9_.\-]+")]
    private static partial Regex NotNameCharacter();
}
