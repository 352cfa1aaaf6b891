namespace Crm.Ingestion;

/// <summary>
/// An integration allowed to send events to a tenant: a web site, an app, a help desk, a phone system. It proves
/// itself with its write key (Segment's HTTP Basic user name), kept only as a hash, or signs webhooks with its
/// signing secret, kept encrypted because checking a signature needs it.
/// </summary>
public sealed record Source
{
    public required Guid Id { get; init; }
    public required string TenantId { get; init; }
    public required string Name { get; init; }
    public required byte[] WriteKeyHash { get; init; }
    public required byte[] SigningSecret { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }

    public bool IsRevoked => RevokedAt is not null;

    /// <summary>The source as the author of what it sends.</summary>
    public Security.Actor Actor => new(Id.ToString(), Name);
}

public interface ISourceStore
{
    Task CreateAsync(Source source, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Source>> ListAsync(string tenantId, CancellationToken cancellationToken = default);

    Task<Source?> FindAsync(string tenantId, Guid sourceId, CancellationToken cancellationToken = default);

    /// <summary>Any tenant's source, by id alone: webhooks name their source in the URL and prove it with a signature.</summary>
    Task<Source?> FindAsync(Guid sourceId, CancellationToken cancellationToken = default);

    Task<Source?> FindByWriteKeyHashAsync(byte[] writeKeyHash, CancellationToken cancellationToken = default);

    /// <returns>False when the tenant has no such source.</returns>
    Task<bool> RevokeAsync(string tenantId, Guid sourceId, DateTimeOffset at, CancellationToken cancellationToken = default);
}
