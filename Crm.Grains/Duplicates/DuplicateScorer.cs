using System.Collections.Immutable;
using System.Globalization;
using F23.StringSimilarity;

namespace Crm.Duplicates;

/// <summary>
/// Scores a pair of customers under a tenant's rules. Each rule whose field agrees is a piece of evidence worth its
/// weight times the similarity, and evidence adds up the way independent chances do (1 − Π(1 − e)): two middling
/// fields agreeing count for more than either, and no pile of weak ones reaches 1. Evidence against lowers the score:
/// different given names (a household sharing an email), different external ids, different values of an exact
/// attribute rule (a date of birth).
/// </summary>
public static class DuplicateScorer
{
    /// <summary>Below this, two values are not similar at all (Jaro–Winkler; unrelated names land around 0.5–0.7).</summary>
    public const double Similar = 0.85;

    /// <summary>
    /// Same family name, clearly another given name: a household sharing a phone, an address or an email. Strong
    /// enough that all three shared stay under the queue's default 0.5.
    /// </summary>
    public const double Household = 0.4;

    private static readonly JaroWinkler JaroWinkler = new();

    public static DuplicatePair? Score(MatchCandidate one, MatchCandidate other, DuplicateSettings settings)
    {
        var (a, b) = string.CompareOrdinal(one.CustomerId, other.CustomerId) < 0 ? (one, other) : (other, one);
        var reasons = ImmutableArray.CreateBuilder<DuplicateReason>();
        var against = 1.0;
        var exactIdentity = false;
        var notMatching = 1.0;
        foreach (var rule in settings.Rules)
        {
            var (reason, penalty) = Compare(rule, a, b);
            against *= penalty;
            if (reason is { } found)
            {
                reasons.Add(found);
                notMatching *= 1 - rule.Weight * found.Similarity;
                exactIdentity |= found.Similarity == 1 && rule.Field is "emails" or "phones" or "externalId";
            }
        }

        var score = Math.Round((1 - notMatching) * against, 3);
        return reasons.Count == 0 || score <= 0 ? null
            : new DuplicatePair(a.CustomerId, b.CustomerId, score, reasons.ToImmutable(), exactIdentity && against == 1);
    }

    private static (DuplicateReason? Reason, double Penalty) Compare(DuplicateRule rule, MatchCandidate a, MatchCandidate b)
    {
        var (x, y) = (a.Profile, b.Profile);
        var exact = rule.Match == DuplicateMatch.Exact;
        return rule.Field switch
        {
            "name" => Names(x, y, exact),
            "emails" => (Shared("emails", "email", x.Emails, y.Emails) ?? (exact ? null : SimilarEmail(x.Emails, y.Emails)), 1),
            "phones" => (Shared("phones", "phone", x.Phones, y.Phones) ?? (exact ? null : SameLastDigits(x.Phones, y.Phones)), 1),
            "externalId" => Single("externalId", "external id", x.ExternalId, y.ExternalId, exact: true, rule.Weight),
            "address" => (Address(x, y, exact), 1),
            "address.postalCode" => (Text("address.postalCode", "postcode", x.PostalCode, y.PostalCode, exact), 1),
            "address.city" => (Text("address.city", "city", x.City, y.City, exact), 1),
            "company" => (Text("company", "company", x.Company, y.Company, exact), 1),
            "country" => (Text("country", "country", x.Country, y.Country, exact: true), 1),
            _ when rule.Field.StartsWith("attributes.", StringComparison.Ordinal) => Attribute(rule, a, b),
            _ => (null, 1),
        };
    }

    private static (DuplicateReason?, double) Names(MatchProfile x, MatchProfile y, bool exact)
    {
        if (x.Names.IsEmpty || y.Names.IsEmpty)
        {
            return (null, 1);
        }

        if (x.Given is not { } gx || y.Given is not { } gy)
        {
            // One name only (a company, a mononym): the best agreeing word.
            var alone = x.Names.Max(n => y.Names.Max(m => Similarity(n, m)));
            return (alone >= Similar && !exact ? new DuplicateReason("name", Round(alone * 0.9), "similar name") : null, 1);
        }

        var (fx, fy) = (x.Family!, y.Family!);
        var direct = Math.Min(Given(gx, gy), Similarity(fx, fy));
        var swapped = Math.Min(Given(gx, fy), Similarity(fx, gy));
        var similarity = Math.Max(direct, swapped);
        if (exact ? similarity < 1 : similarity < Similar)
        {
            // Same family, clearly another given name: a household, not a duplicate.
            var household = Similarity(fx, fy) >= 0.95 && Given(gx, gy) < 0.75;
            return (null, household ? Household : 1);
        }

        var text = swapped > direct ? "given and family names swapped"
            : gx == gy && x.GivenAsWritten != y.GivenAsWritten ? $"nickname: {x.GivenAsWritten} is {y.GivenAsWritten}"
            : similarity == 1 ? "same name"
            : "similar name";
        return (new DuplicateReason("name", Round(similarity), text), 1);
    }

    /// <summary>An initial agrees with any name it begins.</summary>
    private static double Given(string x, string y) =>
        (x.Length == 1 || y.Length == 1) && x[0] == y[0] ? 0.9 : Similarity(x, y);

    private static DuplicateReason? Shared(string field, string noun, ImmutableArray<string> x, ImmutableArray<string> y) =>
        x.FirstOrDefault(y.Contains) is { } same ? new DuplicateReason(field, 1, $"same {noun} {same}") : null;

    private static DuplicateReason? SimilarEmail(ImmutableArray<string> x, ImmutableArray<string> y)
    {
        var best = x.SelectMany(e => y.Select(f => (e, f, Similarity: Domain(e) == Domain(f) ? Similarity(e, f) : 0))).MaxBy(p => p.Similarity);
        return best.Similarity >= 0.92 ? new DuplicateReason("emails", Round(best.Similarity), $"similar emails {best.e} and {best.f}") : null;

        static string Domain(string email) => email[(email.LastIndexOf('@') + 1)..];
    }

    private static DuplicateReason? SameLastDigits(ImmutableArray<string> x, ImmutableArray<string> y)
    {
        var same = x.FirstOrDefault(p => p.Length >= 9 && y.Any(q => q.Length >= 9 && q[^9..] == p[^9..]));
        return same is null ? null : new DuplicateReason("phones", 0.9, $"phones ending {same[^9..]}");
    }

    private static (DuplicateReason?, double) Single(string field, string noun, string? x, string? y, bool exact, double weight) =>
        x is null || y is null ? (null, 1)
        : x == y ? (new DuplicateReason(field, 1, $"same {noun} {x}"), 1)
        : (exact ? null : Text(field, noun, x, y, exact), exact ? 1 - weight / 2 : 1);

    private static DuplicateReason? Address(MatchProfile x, MatchProfile y, bool exact)
    {
        if (x.Street is not { } sx || y.Street is not { } sy || x.HouseNumber != y.HouseNumber)
        {
            return null;
        }

        var similarity = Similarity(sx, sy);
        var samePlace = x.PostalCode is null || y.PostalCode is null || x.PostalCode == y.PostalCode || x.City == y.City;
        return !samePlace || (exact ? similarity < 1 : similarity < Similar) ? null
            : new DuplicateReason("address", Round(similarity), similarity == 1 ? "same address" : "similar address");
    }

    private static DuplicateReason? Text(string field, string noun, string? x, string? y, bool exact)
    {
        if (x is null || y is null)
        {
            return null;
        }

        var similarity = x == y ? 1 : exact ? 0 : Similarity(x, y);
        return similarity >= (exact ? 1 : Similar)
            ? new DuplicateReason(field, Round(similarity), similarity == 1 ? $"same {noun}" : $"similar {noun}")
            : null;
    }

    private static (DuplicateReason?, double) Attribute(DuplicateRule rule, MatchCandidate a, MatchCandidate b)
    {
        var name = rule.Field["attributes.".Length..];
        if (!a.Attributes.TryGetValue(name, out var x) || !b.Attributes.TryGetValue(name, out var y))
        {
            return (null, 1);
        }

        var (vx, vy) = (MatchText.Fold(x.Value), MatchText.Fold(y.Value));
        if (vx == vy)
        {
            return (new DuplicateReason(rule.Field, 1, $"same {name}"), 1);
        }

        if (rule.Match == DuplicateMatch.Exact)
        {
            return (null, 1 - rule.Weight / 2);
        }

        // Day and month swapped is the commonest error in a date typed by hand; any other difference in a date is one
        // person born on another day.
        if (x.Kind == Customers.AttributeKind.Date)
        {
            return DaySwapped(x.Value, y.Value) ? (new DuplicateReason(rule.Field, 0.9, $"{name} with day and month swapped"), 1) : (null, 1 - rule.Weight / 2);
        }

        var similarity = Similarity(vx, vy);
        return similarity >= Similar ? (new DuplicateReason(rule.Field, Round(similarity), $"similar {name}"), 1) : (null, 1);
    }

    private static bool DaySwapped(string x, string y) =>
        DateOnly.TryParseExact(x, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var dx)
        && DateOnly.TryParseExact(y, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var dy)
        && dx.Year == dy.Year && dx.Month == dy.Day && dx.Day == dy.Month;

    private static double Similarity(string x, string y) => x == y ? 1 : JaroWinkler.Similarity(x, y);

    private static double Round(double similarity) => Math.Round(similarity, 3);
}
