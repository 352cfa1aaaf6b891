using System.Collections.Immutable;

namespace Crm.Duplicates;

public enum DuplicateMatch
{
    /// <summary>Equal once normalized (emails lower-cased, phones in E.164, text without case, accents or punctuation).</summary>
    Exact = 0,
    /// <summary>Similar: typos, transpositions, nicknames and swapped given and family names for names; edit distance for the rest.</summary>
    Fuzzy = 1,
}

/// <summary>
/// One piece of evidence two customers are the same person: a field (by its API name: <c>emails</c>, <c>phones</c>,
/// <c>externalId</c>, <c>name</c>, <c>address</c>, <c>address.postalCode</c>, <c>company</c>, <c>attributes.&lt;name&gt;</c>),
/// how it is compared and how much agreeing on it counts, from 0 to 1.
/// </summary>
[GenerateSerializer, Immutable, Alias("crm.duplicate-rule")]
public sealed record DuplicateRule(
    [property: Id(0)] string Field,
    [property: Id(1)] DuplicateMatch Match,
    [property: Id(2)] double Weight)
{
    /// <summary>The profile fields a rule can compare, beside <c>attributes.&lt;name&gt;</c>.</summary>
    public static ImmutableArray<string> ProfileFields { get; } =
        ["name", "emails", "phones", "externalId", "address", "address.postalCode", "address.city", "company", "country"];
}

/// <summary>How a tenant's duplicates are found, and whether exact identity matches are merged without asking.</summary>
[GenerateSerializer, Immutable, Alias("crm.duplicate-settings")]
public sealed record DuplicateSettings(
    [property: Id(0)] ImmutableArray<DuplicateRule> Rules,
    [property: Id(1)] bool AutoMerge)
{
    public const int MaxRules = 30;

    /// <summary>
    /// Fields every tenant has. A shared email, phone or external id alone is a likely duplicate; a name alone (there
    /// are many John Smiths) stays under the default 0.5 of the queue until another field agrees.
    /// </summary>
    public static DuplicateSettings Default { get; } = new(
    [
        new("externalId", DuplicateMatch.Exact, 0.95),
        new("emails", DuplicateMatch.Exact, 0.9),
        new("phones", DuplicateMatch.Exact, 0.85),
        new("name", DuplicateMatch.Fuzzy, 0.45),
        new("address", DuplicateMatch.Fuzzy, 0.4),
        new("address.postalCode", DuplicateMatch.Exact, 0.3),
        new("company", DuplicateMatch.Fuzzy, 0.15),
        new("attributes.dateOfBirth", DuplicateMatch.Fuzzy, 0.5),
    ], AutoMerge: false);
}
