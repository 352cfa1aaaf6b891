namespace Crm.Security;

/// <summary>What a user may do. Each role includes the ones before it: an admin can do what a supervisor can.</summary>
public static class Roles
{
    public const string Agent = "agent";
    public const string Supervisor = "supervisor";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Agent, Supervisor, Admin];
}
