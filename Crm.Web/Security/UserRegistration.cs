using Crm.Security;

namespace Crm.Web.Security;

/// <summary>The one way users come to exist: from the API, the bootstrap configuration and the demo seed.</summary>
public sealed class UserRegistration(IAccountStore accounts, Passwords passwords, TimeProvider time)
{
    /// <returns>The new user, or null when the email is taken (in any tenant).</returns>
    public async Task<UserAccount?> TryRegisterAsync(
        string tenantId, string email, string displayName, string password, IEnumerable<string> roles, CancellationToken cancellationToken)
    {
        var user = new UserAccount
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenantId,
            Email = email,
            DisplayName = displayName,
            Roles = [.. roles.Distinct().Order(StringComparer.Ordinal)],
            PasswordHash = passwords.Hash(password),
            CreatedAt = time.GetUtcNow(),
        };
        return await accounts.TryCreateUserAsync(user, cancellationToken) ? user : null;
    }

    /// <summary>Creates the tenant unless it exists.</summary>
    public async Task EnsureTenantAsync(string tenantId, string name, CancellationToken cancellationToken) =>
        await accounts.TryCreateTenantAsync(new Tenant(tenantId, name, time.GetUtcNow()), cancellationToken);
}
