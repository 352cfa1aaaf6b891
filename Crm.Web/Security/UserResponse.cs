using Crm.Security;

namespace Crm.Web.Security;

public sealed record UserResponse(Guid Id, string Email, string DisplayName, string Tenant, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt, DateTimeOffset? DisabledAt)
{
    public static UserResponse From(UserAccount user) =>
        new(user.Id, user.Email, user.DisplayName, user.TenantId, user.Roles, user.CreatedAt, user.DisabledAt);
}
