using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Crm.Customers;

namespace Crm.Duplicates;

/// <summary>
/// What duplicate matching compares of a customer, normalized once when its row in the customer list is written
/// (stored beside it as JSON), and the blocking keys that decide which customers are compared at all.
/// </summary>
public sealed record MatchProfile
{
    /// <summary>Folded name words, given names first, the first one a formal given name (Bob is robert).</summary>
    [JsonPropertyName("n")] public ImmutableArray<string> Names { get; init; } = [];
    /// <summary>The given name as written, folded: to tell a nickname from the same name.</summary>
    [JsonPropertyName("g")] public string? GivenAsWritten { get; init; }
    [JsonPropertyName("e")] public ImmutableArray<string> Emails { get; init; } = [];
    [JsonPropertyName("p")] public ImmutableArray<string> Phones { get; init; } = [];
    [JsonPropertyName("x")] public string? ExternalId { get; init; }
    [JsonPropertyName("s")] public string? Street { get; init; }
    [JsonPropertyName("h")] public string? HouseNumber { get; init; }
    [JsonPropertyName("z")] public string? PostalCode { get; init; }
    [JsonPropertyName("c")] public string? City { get; init; }
    [JsonPropertyName("o")] public string? Company { get; init; }
    [JsonPropertyName("k")] public string? Country { get; init; }

    public string? Given => Names.Length > 1 ? Names[0] : null;

    public bool Equals(MatchProfile? other) =>
        other is not null && Names.SequenceEqual(other.Names) && Emails.SequenceEqual(other.Emails) && Phones.SequenceEqual(other.Phones)
        && (GivenAsWritten, ExternalId, Street, HouseNumber, PostalCode, City, Company, Country)
            == (other.GivenAsWritten, other.ExternalId, other.Street, other.HouseNumber, other.PostalCode, other.City, other.Company, other.Country);

    public override int GetHashCode() => HashCode.Combine(Family, Emails.FirstOrDefault(), Phones.FirstOrDefault(), ExternalId, PostalCode);

    public string? Family => Names.Length > 0 ? Names[^1] : null;

    private static readonly ImmutableDictionary<string, string> StreetWords = new Dictionary<string, string>
    {
        ["street"] = "st", ["road"] = "rd", ["avenue"] = "ave", ["av"] = "ave", ["lane"] = "ln", ["drive"] = "dr",
        ["court"] = "ct", ["place"] = "pl", ["square"] = "sq", ["boulevard"] = "blvd", ["terrace"] = "ter",
        ["crescent"] = "cres", ["close"] = "cl", ["apartment"] = "apt", ["flat"] = "apt", ["suite"] = "ste",
        ["north"] = "n", ["south"] = "s", ["east"] = "e", ["west"] = "w", ["strasse"] = "str",
    }.ToImmutableDictionary();

    private static readonly ImmutableHashSet<string> CompanyForms =
        ["ltd", "limited", "inc", "incorporated", "llc", "llp", "plc", "gmbh", "ag", "sa", "sas", "sarl", "bv", "nv", "co", "corp", "corporation", "company", "the", "srl", "spa", "oy", "ab", "as", "pty"];

    public static MatchProfile Of(CustomerProfile profile)
    {
        var given = MatchText.Words(profile.GivenName);
        var family = MatchText.Words(profile.FamilyName);
        var names = given.Length + family.Length > 0 ? [.. given, .. family] : MatchText.Words(profile.DisplayName);
        if (names.Length > 1)
        {
            names[0] = Nicknames.Canonical(names[0]);
        }

        var street = MatchText.Words(profile.Address?.Line1);
        var number = street.FirstOrDefault(w => char.IsAsciiDigit(w[0]));
        var company = MatchText.Words(profile.Company).Where(w => !CompanyForms.Contains(w)).ToArray();
        var postalCode = new string([.. (profile.Address?.PostalCode ?? "").Where(char.IsAsciiLetterOrDigit).Select(char.ToUpperInvariant)]);
        return new MatchProfile
        {
            Names = [.. names],
            GivenAsWritten = names.Length > 1 ? MatchText.Words(profile.GivenName ?? profile.DisplayName).FirstOrDefault() : null,
            Emails = [.. profile.Emails.Select(EmailKey).Distinct()],
            Phones = profile.Phones,
            ExternalId = string.IsNullOrWhiteSpace(profile.ExternalId) ? null : profile.ExternalId.Trim(),
            Street = street.Length == 0 ? null : string.Join(' ', street.Where(w => w != number).Select(w => StreetWords.GetValueOrDefault(w, w))),
            HouseNumber = number,
            PostalCode = postalCode.Length == 0 ? null : postalCode,
            City = NullIfEmpty(MatchText.Fold(profile.Address?.City)),
            Company = company.Length == 0 ? null : string.Join(' ', company),
            Country = profile.Country ?? profile.Address?.Country,
        };
    }

    /// <summary>
    /// Customers are compared only when they share a key: an email, phone or external id; a name's first four letters
    /// and the other name's initial (both ways round, for swapped names); a name's Soundex code and the other's initial
    /// (for typos and spellings); a postcode and house number; an attribute's value where it tells people apart
    /// (<see cref="IdentifyingAttributes"/>), for rules on custom fields.
    /// </summary>
    public ImmutableArray<string> Keys(ImmutableDictionary<string, AttributeValue> attributes)
    {
        var keys = ImmutableArray.CreateBuilder<string>();
        keys.AddRange(Emails.Select(e => "e:" + e));
        keys.AddRange(Phones.Select(p => "p:" + p));
        if (ExternalId is { } externalId)
        {
            keys.Add("x:" + externalId);
        }

        if (Given is { } given && Family is { } family)
        {
            foreach (var (one, other) in new[] { (family, given), (given, family) })
            {
                keys.Add($"n:{one[..Math.Min(4, one.Length)]}|{other[0]}");
                if (MatchText.Soundex(one) is { Length: > 0 } sound)
                {
                    keys.Add($"s:{sound}|{other[0]}");
                }
            }
        }

        if (PostalCode is { } postalCode && HouseNumber is { } number)
        {
            keys.Add($"a:{postalCode}|{number}");
        }

        keys.AddRange(IdentifyingAttributes(attributes).Select(a => $"t:{a.Key}={MatchText.Fold(a.Value.Value)}"));
        return keys.ToImmutable().Distinct().ToImmutableArray();
    }

    /// <summary>Whether a blocking key is of an identifier (email, phone, external id, attribute) rather than a name or an address.</summary>
    public static bool IsIdentifying(string key) => key.Length > 2 && key[1] == ':' && IdentifyingKinds.Contains(key[0]);

    /// <summary>The first letters of identifying keys: <c>e:</c> email, <c>p:</c> phone, <c>x:</c> external id, <c>t:</c> attribute.</summary>
    public const string IdentifyingKinds = "epxt";

    /// <summary>
    /// Attributes worth a blocking key: dates (a date of birth) and text with a digit in it of five characters or more
    /// (a VAT number, a member number). Words and flags ("gold", "true") are shared by too many customers to narrow
    /// anything down. At most ten, by name, so that a wide import does not bloat the index.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, AttributeValue>> IdentifyingAttributes(ImmutableDictionary<string, AttributeValue> attributes) =>
        attributes
            .Where(a => a.Value.Kind == AttributeKind.Date
                || (a.Value.Kind == AttributeKind.Text && a.Value.Value.Length is >= 5 and <= 100 && a.Value.Value.Any(char.IsAsciiDigit)))
            .OrderBy(a => a.Key, StringComparer.Ordinal)
            .Take(10);

    /// <summary>Gmail-style tags (ann+shop@example.com) are the same mailbox.</summary>
    private static string EmailKey(string email)
    {
        var at = email.LastIndexOf('@');
        var plus = email.IndexOf('+');
        return plus > 0 && plus < at ? email[..plus] + email[at..] : email;
    }

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;
}
