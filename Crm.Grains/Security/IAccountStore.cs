namespace Crm.Security;

/// <summary>Tenants and the users who sign in to them.</summary>
public interface IAccountStore
{
    /// <returns>False when a tenant with that id exists already.</returns>
    Task<bool> TryCreateTenantAsync(Tenant tenant, CancellationToken cancellationToken = default);

    Task<Tenant?> FindTenantAsync(string tenantId, CancellationToken cancellationToken = default);

    Task<bool> AnyTenantAsync(CancellationToken cancellationToken = default);

    /// <returns>False when the email is taken, in any tenant.</returns>
    Task<bool> TryCreateUserAsync(UserAccount user, CancellationToken cancellationToken = default);

    Task<UserAccount?> FindUserByEmailAsync(string email, CancellationToken cancellationToken = default);

    Task<UserAccount?> FindUserAsync(string tenantId, Guid userId, CancellationToken cancellationToken = default);

    /// <summary>The tenant's users ordered by email.</summary>
    Task<IReadOnlyList<UserAccount>> ListUsersAsync(string tenantId, CancellationToken cancellationToken = default);

    /// <returns>False when the tenant has no such user.</returns>
    Task<bool> DisableUserAsync(string tenantId, Guid userId, DateTimeOffset at, CancellationToken cancellationToken = default);
}
