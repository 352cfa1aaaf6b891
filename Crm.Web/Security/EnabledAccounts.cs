using Crm.Security;
using Crm.Web.Api;

namespace Crm.Web.Security;

/// <summary>
/// Whether the account an access token was issued to is still enabled. Tokens last a shift; without this check a
/// disabled user would keep access until theirs expired. Answers are cached for <see cref="CacheFor"/>: disabling
/// takes effect at once on the node that did it and within that time on the others. Only signed tokens reach
/// here, so the cache holds at most one entry per real user.
/// </summary>
public sealed class EnabledAccounts(IAccountStore accounts, TimeProvider time)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private readonly TimedCache<(string TenantId, Guid UserId), bool> _cache = new(CacheFor, time);

    public Task<bool> IsEnabledAsync(string tenantId, Guid userId, CancellationToken cancellationToken) =>
        _cache.GetAsync((tenantId, userId), async () => await accounts.FindUserAsync(tenantId, userId, cancellationToken) is { IsDisabled: false });

    /// <summary>Drops a disabled account from this node's cache at once.</summary>
    public void Forget(string tenantId, Guid userId) => _cache.Forget((key, _) => key == (tenantId, userId));
}
