namespace Crm.Security;

public enum RevocationKind
{
    /// <summary>A user was disabled: their tokens and open connections stop working.</summary>
    User = 0,
    /// <summary>A source was revoked: its write key and webhook signatures stop working.</summary>
    Source = 1,
}

/// <summary>Access taken away, as every web node is told at once (on the revocations stream) so that none honours it a moment longer.</summary>
[GenerateSerializer, Immutable, Alias("crm.revocation")]
public sealed record Revocation(
    [property: Id(0)] RevocationKind Kind,
    [property: Id(1)] string TenantId,
    [property: Id(2)] Guid Id);
