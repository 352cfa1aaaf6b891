using Crm.Security;

namespace Crm.Web.Demo;

/// <summary>Who signs in to the demo tenant.</summary>
public static class DemoSeed
{
    public const string TenantId = "demo";
    public const string TenantName = "Demo Retail Ltd";

    /// <summary>Only ever used in embedded mode, where nothing outlives the process.</summary>
    public const string EmbeddedPassword = "demo";

    public sealed record DemoUser(string Email, string DisplayName, string Role);

    public static readonly IReadOnlyList<DemoUser> Users =
    [
        new("agent@demo.local", "Alex Agent", Roles.Agent),
        new("supervisor@demo.local", "Sam Supervisor", Roles.Supervisor),
        new("admin@demo.local", "Ari Admin", Roles.Admin),
    ];
}
