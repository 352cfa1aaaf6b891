using System.Collections.Immutable;
using Crm.Ingestion;

namespace Crm.Customers;

/// <summary>
/// "Latest wins" for the profile fields integrations set: each field remembers when it got its value, and a trait
/// changes it only if its event is at least as recent, so replays, parked events applied late and events that arrive
/// out of order never overwrite newer values. An edit by a person counts as of the moment it is made.
/// </summary>
public static class ProfileFieldTimes
{
    /// <summary>The customer with an identify's or group's traits taken in, as of the event's time.</summary>
    public static CustomerState Apply(CustomerState state, Traits traits, DateTimeOffset at)
    {
        var profile = state.Profile;
        var times = state.FieldTimes.ToBuilder();
        bool Newer(string field)
        {
            if (times.TryGetValue(field, out var set) && set > at)
            {
                return false;
            }

            times[field] = at;
            return true;
        }

        T? Take<T>(string field, T? value, T? current) where T : class => value is not null && Newer(field) ? value : current;

        var given = Take("givenName", traits.GivenName, profile.GivenName);
        var family = Take("familyName", traits.FamilyName, profile.FamilyName);
        var displayName = traits.DisplayName
            ?? (traits.GivenName is not null || traits.FamilyName is not null ? string.Join(' ', new[] { given, family }.Where(n => n is not null)) : null);
        var attributes = profile.Attributes.ToBuilder();
        foreach (var (name, value) in traits.Attributes)
        {
            if ((attributes.ContainsKey(name) || attributes.Count < SegmentTraits.MaxAttributes)
                && Take($"attributes.{name}", value, attributes.GetValueOrDefault(name)) is { } taken)
            {
                attributes[name] = taken;
            }
        }

        var next = profile with
        {
            DisplayName = Take("displayName", displayName is { Length: > 0 } ? displayName : null, profile.DisplayName)!,
            GivenName = given,
            FamilyName = family,
            Emails = Added(profile.Emails, [.. Once(traits.Email), .. traits.MoreEmails], CustomerIdentities.MaxPerKind[IdentityKind.Email]),
            Phones = Added(profile.Phones, [.. Once(traits.Phone), .. traits.MorePhones], CustomerIdentities.MaxPerKind[IdentityKind.Phone]),
            Company = Take("company", traits.Company, profile.Company),
            JobTitle = Take("jobTitle", traits.JobTitle, profile.JobTitle),
            Country = Take("country", traits.Country, profile.Country),
            Address = Take("address", traits.Address, profile.Address),
            Tags = Added(profile.Tags, traits.Tags, CustomerProfile.MaxTags),
            Lifecycle = traits.Lifecycle is { } stage && Newer("lifecycle") ? stage : profile.Lifecycle,
            ExternalId = profile.ExternalId ?? traits.ExternalId,
            Attributes = attributes.ToImmutable(),
        };
        return state with { Profile = next, FieldTimes = times.ToImmutable() };
    }

    /// <summary>The fields an edit changed, stamped with the time of the edit.</summary>
    public static ImmutableDictionary<string, DateTimeOffset> Edited(ImmutableDictionary<string, DateTimeOffset> times, CustomerProfile before, CustomerProfile after, DateTimeOffset at)
    {
        var result = times.ToBuilder();
        void Stamp(string field, bool changed)
        {
            if (changed)
            {
                result[field] = at;
            }
        }

        Stamp("displayName", before.DisplayName != after.DisplayName);
        Stamp("givenName", before.GivenName != after.GivenName);
        Stamp("familyName", before.FamilyName != after.FamilyName);
        Stamp("company", before.Company != after.Company);
        Stamp("jobTitle", before.JobTitle != after.JobTitle);
        Stamp("country", before.Country != after.Country);
        Stamp("lifecycle", before.Lifecycle != after.Lifecycle);
        Stamp("address", before.Address != after.Address);
        foreach (var name in before.Attributes.Keys.Union(after.Attributes.Keys))
        {
            Stamp($"attributes.{name}", before.Attributes.GetValueOrDefault(name) != after.Attributes.GetValueOrDefault(name));
        }

        return result.ToImmutable();
    }

    private static IEnumerable<string> Once(string? value) => value is null ? [] : [value];

    private static ImmutableArray<string> Added(ImmutableArray<string> values, IEnumerable<string> added, int max)
    {
        var result = values;
        foreach (var value in added)
        {
            if (!result.Contains(value) && result.Length < max)
            {
                result = result.Add(value);
            }
        }

        return result;
    }
}
