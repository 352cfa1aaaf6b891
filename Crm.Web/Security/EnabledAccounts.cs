using System.Collections.Concurrent;
using Crm.Security;

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

    private readonly ConcurrentDictionary<(string TenantId, Guid UserId), (bool Enabled, DateTimeOffset LookedUpAt)> _cache = new();

    public async Task<bool> IsEnabledAsync(string tenantId, Guid userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!_cache.TryGetValue((tenantId, userId), out var cached) || now - cached.LookedUpAt > CacheFor)
        {
            cached = (await accounts.FindUserAsync(tenantId, userId, cancellationToken) is { IsDisabled: false }, now);
            _cache[(tenantId, userId)] = cached;
        }

        return cached.Enabled;
    }

    /// <summary>Drops a disabled account from this node's cache at once.</summary>
    public void Forget(string tenantId, Guid userId) => _cache.TryRemove((tenantId, userId), out _);
}
