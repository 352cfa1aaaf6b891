using System.Net.Http.Headers;
using System.Text;
using BitFaster.Caching.Lru;
using Crm.Ingestion;

namespace Crm.Web.Ingestion;

/// <summary>
/// Finds the source a write key belongs to: from HTTP Basic authentication (the key as user name, an empty password,
/// as Segment's libraries send it) or a "writeKey" in the body. Lookups are kept for a short while in a bounded
/// cache; a revoked key is dropped from every node's cache at once (see <see cref="Security.Revocations"/>), and
/// the keeping time bounds how long a lost revocation signal could matter. Only keys that name a source are kept,
/// so requests with made-up keys cannot crowd the cache.
/// </summary>
public sealed class SourceAuthenticator(ISourceStore sources)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private readonly ConcurrentTLru<string, Source> _byKeyHash = new(10_000, CacheFor);
    private long _revocations;

    public async Task<Source?> AuthenticateAsync(HttpRequest request, string? writeKeyInBody, CancellationToken cancellationToken)
    {
        var writeKey = BasicUserName(request) ?? writeKeyInBody;
        if (string.IsNullOrEmpty(writeKey))
        {
            return null;
        }

        var hash = SourceSecrets.HashWriteKey(writeKey);
        var key = Convert.ToBase64String(hash);
        if (!_byKeyHash.TryGet(key, out var source))
        {
            // A lookup that overlapped a revocation may have read the source before it was revoked: it is not kept.
            var revocations = Interlocked.Read(ref _revocations);
            source = await sources.FindByWriteKeyHashAsync(hash, cancellationToken);
            if (source is not null && Interlocked.Read(ref _revocations) == revocations)
            {
                _byKeyHash.AddOrUpdate(key, source);
            }
        }

        return source is { IsRevoked: false } ? source : null;
    }

    /// <summary>Drops a revoked source from this node's cache.</summary>
    public void Forget(Guid sourceId)
    {
        Interlocked.Increment(ref _revocations);
        foreach (var entry in _byKeyHash.Where(e => e.Value.Id == sourceId).ToList())
        {
            _byKeyHash.TryRemove(entry.Key);
        }
    }

    private static string? BasicUserName(HttpRequest request)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
            || !"Basic".Equals(header.Scheme, StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
        {
            return null;
        }

        try
        {
            var credentials = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(header.Parameter));
            var colon = credentials.IndexOf(':');
            return colon < 0 ? credentials : credentials[..colon];
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            return null;
        }
    }
}
