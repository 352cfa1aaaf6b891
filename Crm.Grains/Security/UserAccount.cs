using System.Collections.Immutable;

namespace Crm.Security;

/// <summary>A person who signs in. The email is the sign-in name, unique across tenants, stored lower-cased.</summary>
public sealed record UserAccount
{
    public required Guid Id { get; init; }
    public required string TenantId { get; init; }
    public required string Email { get; init; }
    public required string DisplayName { get; init; }
    public required ImmutableArray<string> Roles { get; init; }
    /// <summary>A slow, salted hash (ASP.NET Core Identity's PBKDF2 format); never the password.</summary>
    public required string PasswordHash { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? DisabledAt { get; init; }

    public bool IsDisabled => DisabledAt is not null;

    public Actor ToActor() => new(Id.ToString(), DisplayName);
}
