using System.Collections.Immutable;
using Crm.Customers;
using Crm.Ingestion;

namespace Crm.Merges;

/// <summary>
/// The survivor's profile a merge makes, field by field, and the profile undoing it gives back: each field the merge
/// changed returns to its value before, unless someone changed it since.
/// </summary>
public static class MergedProfiles
{
    private sealed record Field(string Name, Func<CustomerProfile, object?> Get, Func<CustomerProfile, object?, CustomerProfile> Set);

    /// <summary>Fields with one value: the chosen customer's wins.</summary>
    private static readonly ImmutableArray<Field> Single =
    [
        new("displayName", p => p.DisplayName, (p, v) => p with { DisplayName = (string)v! }),
        new("givenName", p => p.GivenName, (p, v) => p with { GivenName = (string?)v }),
        new("familyName", p => p.FamilyName, (p, v) => p with { FamilyName = (string?)v }),
        new("company", p => p.Company, (p, v) => p with { Company = (string?)v }),
        new("jobTitle", p => p.JobTitle, (p, v) => p with { JobTitle = (string?)v }),
        new("country", p => p.Country, (p, v) => p with { Country = (string?)v }),
        new("address", p => p.Address, (p, v) => p with { Address = (PostalAddress?)v }),
        new("lifecycle", p => p.Lifecycle, (p, v) => p with { Lifecycle = (LifecycleStage)v! }),
        new("ownerId", p => p.OwnerId, (p, v) => p with { OwnerId = (string?)v }),
        new("externalId", p => p.ExternalId, (p, v) => p with { ExternalId = (string?)v }),
    ];

    /// <summary>Fields with many values: all customers' values, the chosen customer's first.</summary>
    private static readonly ImmutableArray<(string Name, Func<CustomerProfile, ImmutableArray<string>> Get, Func<CustomerProfile, ImmutableArray<string>, CustomerProfile> Set, int Max)> Many =
    [
        ("emails", p => p.Emails, (p, v) => p with { Emails = v }, CustomerIdentities.MaxPerKind[IdentityKind.Email]),
        ("phones", p => p.Phones, (p, v) => p with { Phones = v }, CustomerIdentities.MaxPerKind[IdentityKind.Phone]),
        ("tags", p => p.Tags, (p, v) => p with { Tags = v }, CustomerProfile.MaxTags),
    ];

    /// <summary>The fields a merge can choose a customer for, beside <c>attributes.&lt;name&gt;</c> and <c>consent</c>.</summary>
    public static IEnumerable<string> FieldNames => Single.Select(f => f.Name).Concat(Many.Select(f => f.Name)).Append("consent");

    /// <param name="customers">The survivor first, then the merged customers.</param>
    /// <exception cref="MergeRefusedException">A field that is not one, or a customer not among those merged.</exception>
    public static CustomerProfile Compose(IReadOnlyList<Customer> customers, IReadOnlyDictionary<string, string> choices)
    {
        var byId = customers.ToDictionary(c => c.Id, c => c.Profile, StringComparer.Ordinal);
        foreach (var (field, customerId) in choices)
        {
            if (!FieldNames.Contains(field) && !(field.StartsWith("attributes.", StringComparison.Ordinal) && field.Length > "attributes.".Length))
            {
                throw new MergeRefusedException($"fields.{field}", $"'{field}' is not a field a merge can choose; choose among {string.Join(", ", FieldNames)} and attributes.<name>.");
            }

            if (!byId.ContainsKey(customerId))
            {
                throw new MergeRefusedException($"fields.{field}", $"'{customerId}' is not one of the customers being merged.");
            }
        }

        var survivor = customers[0].Profile;
        var others = customers.Skip(1).Select(c => c.Profile).ToList();
        var profile = survivor;
        foreach (var field in Single)
        {
            var value = choices.TryGetValue(field.Name, out var chosen)
                ? field.Get(byId[chosen])
                : field.Get(survivor) ?? others.Select(field.Get).FirstOrDefault(v => v is not null);
            profile = field.Set(profile, value);
        }

        foreach (var (name, get, set, max) in Many)
        {
            var first = choices.TryGetValue(name, out var chosen) ? get(byId[chosen]) : [];
            profile = set(profile, [.. first.Concat(customers.SelectMany(c => get(c.Profile))).Distinct().Take(max)]);
        }

        var attributes = others.Aggregate(survivor.Attributes, (all, other) => other.Attributes.SetItems(all));
        foreach (var (field, chosen) in choices.Where(c => c.Key.StartsWith("attributes.", StringComparison.Ordinal)))
        {
            var name = field["attributes.".Length..];
            attributes = byId[chosen].Attributes.TryGetValue(name, out var value) ? attributes.SetItem(name, value) : attributes.Remove(name);
        }

        var consent = choices.TryGetValue("consent", out var consentFrom)
            ? byId[consentFrom].Consent
            : others.Aggregate(survivor.Consent, (all, other) => other.Consent.SetItems(all));
        return profile with { Attributes = attributes, Consent = consent };
    }

    /// <summary>
    /// The survivor's profile with the merge taken back: <paramref name="before"/> where the field still holds what the
    /// merge made it (<paramref name="merged"/>), the current value where someone has changed it since; values a merge
    /// added to emails, phones, tags, attributes and consent go, values added since stay.
    /// </summary>
    public static CustomerProfile Revert(CustomerProfile current, CustomerProfile before, CustomerProfile merged)
    {
        var profile = current;
        foreach (var field in Single)
        {
            if (Equals(field.Get(current), field.Get(merged)))
            {
                profile = field.Set(profile, field.Get(before));
            }
        }

        foreach (var (_, get, set, _) in Many)
        {
            var added = get(merged).Except(get(before)).ToHashSet();
            profile = set(profile, [.. get(current).Where(v => !added.Contains(v))]);
        }

        return profile with
        {
            Attributes = Revert(current.Attributes, before.Attributes, merged.Attributes),
            Consent = Revert(current.Consent, before.Consent, merged.Consent),
        };
    }

    private static ImmutableDictionary<TKey, TValue> Revert<TKey, TValue>(
        ImmutableDictionary<TKey, TValue> current, ImmutableDictionary<TKey, TValue> before, ImmutableDictionary<TKey, TValue> merged)
        where TKey : notnull
    {
        var reverted = current;
        foreach (var (key, value) in merged)
        {
            if (current.TryGetValue(key, out var now) && Equals(now, value))
            {
                reverted = before.TryGetValue(key, out var was) ? reverted.SetItem(key, was) : reverted.Remove(key);
            }
        }

        return reverted;
    }
}
