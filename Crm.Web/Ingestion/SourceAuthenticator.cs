using System.Net.Http.Headers;
using System.Text;
using Crm.Ingestion;
using Crm.Web.Api;

namespace Crm.Web.Ingestion;

/// <summary>
/// Finds the source a write key belongs to: from HTTP Basic authentication (the key as user name, an empty password,
/// as Segment's libraries send it) or a "writeKey" in the body. Lookups are cached for a short while, so a key
/// revoked on another node stops working within <see cref="CacheFor"/>. Only keys that name a source are cached, so
/// requests with made-up keys cannot grow the cache.
/// </summary>
public sealed class SourceAuthenticator(ISourceStore sources, TimeProvider time)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private readonly TimedCache<string, Source?> _byKeyHash = new(CacheFor, time);

    public static string DebuggerKey(Source source) => $"{source.TenantId}/{source.Id}";

    public async Task<Source?> AuthenticateAsync(HttpRequest request, string? writeKeyInBody, CancellationToken cancellationToken)
    {
        var writeKey = BasicUserName(request) ?? writeKeyInBody;
        if (string.IsNullOrEmpty(writeKey))
        {
            return null;
        }

        var hash = SourceSecrets.HashWriteKey(writeKey);
        var source = await _byKeyHash.GetAsync(
            Convert.ToBase64String(hash), () => sources.FindByWriteKeyHashAsync(hash, cancellationToken), keep: found => found is not null);
        return source is { IsRevoked: false } ? source : null;
    }

    /// <summary>Drops a revoked source from this node's cache at once.</summary>
    public void Forget(Guid sourceId) => _byKeyHash.Forget((_, source) => source?.Id == sourceId);

    private static string? BasicUserName(HttpRequest request)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
            || !"Basic".Equals(header.Scheme, StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
        {
            return null;
        }

        try
        {
            var credentials = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
            var colon = credentials.IndexOf(':');
            return colon < 0 ? credentials : credentials[..colon];
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
