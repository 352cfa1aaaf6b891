namespace Crm.Web.Security;

public sealed class AuthOptions
{
    public const string Section = "Crm:Auth";

    /// <summary>
    /// The key that signs access tokens, at least 32 characters. When unset, a random key is generated: kept in
    /// the database in PostgreSQL mode (so every node and restart shares it), per process in embedded mode.
    /// </summary>
    public string? SigningKey { get; set; }

    public string Issuer { get; set; } = "crm-orleans";

    public string Audience { get; set; } = "crm-orleans";

    /// <summary>An agent's shift.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Sign-in attempts allowed per client address per minute.</summary>
    public int SignInAttemptsPerMinute { get; set; } = 20;
}
