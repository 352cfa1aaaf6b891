using System.Security.Claims;
using Crm.Customers;
using Crm.Security;

namespace Crm.Web.Security;

/// <summary>The claims in a Crm.Orleans access token, and what the API reads from them.</summary>
public static class CrmClaims
{
    public const string UserId = "sub";
    public const string Name = "name";
    public const string Email = "email";
    public const string Tenant = "tenant";
    public const string Role = "role";

    /// <summary>The caller's tenant. Every policy requires the claim, so an authorized request always has one.</summary>
    public static string TenantId(this ClaimsPrincipal user) =>
        user.FindFirstValue(Tenant) ?? throw new InvalidOperationException("The principal has no tenant claim.");

    public static Actor ToActor(this ClaimsPrincipal user) =>
        new(user.FindFirstValue(UserId) ?? throw new InvalidOperationException("The principal has no subject claim."), user.FindFirstValue(Name) ?? "");

    /// <summary>The caller's tenant's customer with this id; false when the id cannot name any customer.</summary>
    public static bool TryGetCustomerKey(this ClaimsPrincipal user, string customerId, out CustomerKey key)
    {
        key = default;
        if (!CustomerKey.IsValidCustomerId(customerId))
        {
            return false;
        }

        key = new CustomerKey(user.TenantId(), customerId);
        return true;
    }
}
