namespace Crm.Ingestion;

public enum IdentityKind
{
    User = 0,
    Email = 1,
    Phone = 2,
    Anonymous = 3,
}

/// <summary>One way an integration names a person: a user id, an email, a phone number or an anonymous id. Values are normalized.</summary>
[GenerateSerializer, Immutable, Alias("crm.identity")]
public sealed record Identity([property: Id(0)] IdentityKind Kind, [property: Id(1)] string Value)
{
    /// <summary>The identity index grain's key within the tenant: "{kind}:{value}".</summary>
    public string Key => $"{Kind.ToString().ToLowerInvariant()}:{Value}";
}
