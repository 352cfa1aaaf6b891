using System.Text.Json;
using Crm.Customers;

namespace Crm.Ingestion;

/// <summary>Which identities an event names, normalized, without the junk values integrations send for "nobody".</summary>
public static class IdentityRules
{
    public const int MaxIdLength = 200;

    private static readonly HashSet<string> Junk = new(StringComparer.OrdinalIgnoreCase)
    {
        "", "null", "nil", "none", "undefined", "anonymous", "anon", "unknown", "guest", "0", "-1", "n/a", "na",
        "[object object]", "test", "user", "id", "00000000-0000-0000-0000-000000000000",
    };

    /// <summary>In the order they decide who the event is about: user id, email, phone, anonymous id.</summary>
    public static IReadOnlyList<Identity> Of(IngestEvent ingested)
    {
        var identities = new List<Identity>();
        Add(identities, IdentityKind.User, ingested.UserId);
        var traits = ingested.Type == IngestEventType.Identify ? ingested.Traits : ContextTraits(ingested.Context);
        if (Read(traits, "email") is { } email && EmailAddresses.TryNormalize(email, out var normalizedEmail))
        {
            identities.Add(new Identity(IdentityKind.Email, normalizedEmail));
        }

        if (Read(traits, "phone") is { } phone && TelephoneNumbers.TryNormalize(phone, null, out var e164))
        {
            identities.Add(new Identity(IdentityKind.Phone, e164));
        }

        Add(identities, IdentityKind.Anonymous, ingested.AnonymousId);
        if (ingested.Type == IngestEventType.Alias)
        {
            // Segment's previousId is usually the anonymous id a visitor had before signing in.
            Add(identities, IdentityKind.Anonymous, ingested.PreviousId);
        }

        return identities.Distinct().ToList();
    }

    public static bool IsJunk(string? value) => value is null || Junk.Contains(value.Trim()) || value.Trim().Length > MaxIdLength;

    private static void Add(List<Identity> identities, IdentityKind kind, string? value)
    {
        if (!IsJunk(value))
        {
            identities.Add(new Identity(kind, value!.Trim()));
        }
    }

    private static string? ContextTraits(string? context)
    {
        if (context is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(context);
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("traits", out var traits)
            ? traits.GetRawText()
            : null;
    }

    private static string? Read(string? json, string property)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty(property, out var value)
            && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
    }
}
