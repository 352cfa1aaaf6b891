using System.Collections.Concurrent;

namespace Crm.Security;

public sealed class InMemoryAccountStore : IAccountStore
{
    private readonly ConcurrentDictionary<string, Tenant> _tenants = new();
    private readonly ConcurrentDictionary<string, UserAccount> _usersByEmail = new();

    public Task<bool> TryCreateTenantAsync(Tenant tenant, CancellationToken cancellationToken = default) =>
        Task.FromResult(_tenants.TryAdd(tenant.Id, tenant));

    public Task<Tenant?> FindTenantAsync(string tenantId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_tenants.GetValueOrDefault(tenantId));

    public Task<bool> AnyTenantAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(!_tenants.IsEmpty);

    public Task<bool> TryCreateUserAsync(UserAccount user, CancellationToken cancellationToken = default) =>
        Task.FromResult(_usersByEmail.TryAdd(user.Email, user));

    public Task<UserAccount?> FindUserByEmailAsync(string email, CancellationToken cancellationToken = default) =>
        Task.FromResult(_usersByEmail.GetValueOrDefault(email));

    public Task<UserAccount?> FindUserAsync(string tenantId, Guid userId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_usersByEmail.Values.FirstOrDefault(u => u.TenantId == tenantId && u.Id == userId));

    public Task<IReadOnlyList<UserAccount>> ListUsersAsync(string tenantId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<UserAccount>>(
            _usersByEmail.Values.Where(u => u.TenantId == tenantId).OrderBy(u => u.Email, StringComparer.Ordinal).ToList());

    public Task<bool> DisableUserAsync(string tenantId, Guid userId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        foreach (var user in _usersByEmail.Values.Where(u => u.TenantId == tenantId && u.Id == userId))
        {
            _usersByEmail.TryUpdate(user.Email, user with { DisabledAt = user.DisabledAt ?? at }, user);
            return Task.FromResult(true);
        }

        return Task.FromResult(false);
    }
}
