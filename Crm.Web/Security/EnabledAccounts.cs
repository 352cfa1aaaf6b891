using BitFaster.Caching.Lru;
using Crm.Security;

namespace Crm.Web.Security;

/// <summary>
/// Whether the account an access token was issued to is still enabled, asked on every request and hub call. Tokens
/// last a shift; without this check a disabled user would keep access until theirs expired. Answers are kept a short
/// while in a bounded cache; disabling an account drops its answer on every node at once (see <see cref="Revocations"/>).
/// Only signed tokens reach here, so the cache holds at most one entry per real user.
/// </summary>
public sealed class EnabledAccounts(IAccountStore accounts)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private readonly ConcurrentTLru<(string TenantId, Guid UserId), bool> _cache = new(100_000, CacheFor);
    private long _revocations;

    public async Task<bool> IsEnabledAsync(string tenantId, Guid userId, CancellationToken cancellationToken)
    {
        if (_cache.TryGet((tenantId, userId), out var enabled))
        {
            return enabled;
        }

        // A lookup that overlapped a revocation may have read the account before it was disabled: it is not kept.
        var revocations = Interlocked.Read(ref _revocations);
        enabled = await accounts.FindUserAsync(tenantId, userId, cancellationToken) is { IsDisabled: false };
        if (Interlocked.Read(ref _revocations) == revocations)
        {
            _cache.AddOrUpdate((tenantId, userId), enabled);
        }

        return enabled;
    }

    /// <summary>Drops a disabled account from this node's cache.</summary>
    public void Forget(string tenantId, Guid userId)
    {
        Interlocked.Increment(ref _revocations);
        _cache.TryRemove((tenantId, userId));
    }
}
