using System.Collections.Concurrent;

namespace Crm.Ingestion;

public sealed class InMemorySourceStore : ISourceStore
{
    private readonly ConcurrentDictionary<Guid, Source> _sources = new();

    public Task CreateAsync(Source source, CancellationToken cancellationToken = default)
    {
        _sources[source.Id] = source;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Source>> ListAsync(string tenantId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<Source>>(_sources.Values.Where(s => s.TenantId == tenantId).OrderBy(s => s.CreatedAt).ToList());

    public Task<Source?> FindAsync(string tenantId, Guid sourceId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_sources.TryGetValue(sourceId, out var s) && s.TenantId == tenantId ? s : null);

    public Task<Source?> FindAsync(Guid sourceId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_sources.GetValueOrDefault(sourceId));

    public Task<Source?> FindByWriteKeyHashAsync(byte[] writeKeyHash, CancellationToken cancellationToken = default) =>
        Task.FromResult(_sources.Values.FirstOrDefault(s => s.WriteKeyHash.AsSpan().SequenceEqual(writeKeyHash)));

    public Task<bool> RevokeAsync(string tenantId, Guid sourceId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        if (!_sources.TryGetValue(sourceId, out var source) || source.TenantId != tenantId)
        {
            return Task.FromResult(false);
        }

        _sources[sourceId] = source with { RevokedAt = source.RevokedAt ?? at };
        return Task.FromResult(true);
    }
}
