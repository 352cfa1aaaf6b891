using Crm.Security;
using Microsoft.AspNetCore.Authorization;

namespace Crm.Web.Security;

/// <summary>Authorization policies by role; each admits the roles above it as well.</summary>
public static class Policies
{
    public const string Agent = "agent";
    public const string Supervisor = "supervisor";
    public const string Admin = "admin";

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(Agent, p => p.RequireClaim(CrmClaims.Tenant).RequireRole(Roles.Agent, Roles.Supervisor, Roles.Admin));
        options.AddPolicy(Supervisor, p => p.RequireClaim(CrmClaims.Tenant).RequireRole(Roles.Supervisor, Roles.Admin));
        options.AddPolicy(Admin, p => p.RequireClaim(CrmClaims.Tenant).RequireRole(Roles.Admin));
    }
}
