using System.Collections.Immutable;
using Crm.Customers;

namespace Crm.Ingestion;

/// <summary>
/// The identities a person is known by, normalized, without the junk values integrations send for "nobody". The same
/// rules hold wherever an identity comes from: an event, a webhook, a profile edited in the console, an import.
/// </summary>
public static class IdentityRules
{
    public const int MaxIdLength = 200;

    private static readonly HashSet<string> Junk = new(StringComparer.OrdinalIgnoreCase)
    {
        "", "null", "nil", "none", "undefined", "anonymous", "anon", "unknown", "guest", "0", "-1", "n/a", "na",
        "[object object]", "test", "user", "id", "00000000-0000-0000-0000-000000000000",
    };

    /// <summary>In the order they decide who the event is about: user id, email, phone, anonymous ids.</summary>
    /// <param name="country">Where a phone number without a country code is read as dialled.</param>
    public static ImmutableArray<Identity> Of(string? userId, string? email, string? phone, string? country, params string?[] anonymousIds)
    {
        var identities = ImmutableArray.CreateBuilder<Identity>();
        Add(identities, User(userId));
        Add(identities, Email(email));
        Add(identities, Phone(phone, country));
        foreach (var anonymousId in anonymousIds)
        {
            Add(identities, Id(IdentityKind.Anonymous, anonymousId));
        }

        return identities.ToImmutable();
    }

    public static Identity? User(string? userId) => Id(IdentityKind.User, userId);

    public static Identity? Email(string? email) =>
        email is not null && EmailAddresses.TryNormalize(email, out var normalized) && !IsJunk(normalized) ? new Identity(IdentityKind.Email, normalized) : null;

    public static Identity? Phone(string? phone, string? country) =>
        phone is not null && TelephoneNumbers.TryNormalize(phone, country, out var e164) ? new Identity(IdentityKind.Phone, e164) : null;

    public static bool IsJunk(string? value) => value is null || Junk.Contains(value.Trim()) || value.Trim().Length > MaxIdLength;

    private static Identity? Id(IdentityKind kind, string? value) => IsJunk(value) ? null : new Identity(kind, value!.Trim());

    private static void Add(ImmutableArray<Identity>.Builder identities, Identity? identity)
    {
        if (identity is not null && !identities.Contains(identity))
        {
            identities.Add(identity);
        }
    }
}
