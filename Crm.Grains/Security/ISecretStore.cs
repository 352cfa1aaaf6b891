namespace Crm.Security;

/// <summary>Secrets every node of a deployment must share, such as the key that signs access tokens.</summary>
public interface ISecretStore
{
    /// <summary>The stored secret; if there is none yet, stores the one <paramref name="create"/> makes. Concurrent callers all get the same one.</summary>
    Task<byte[]> GetOrCreateAsync(string name, Func<byte[]> create, CancellationToken cancellationToken = default);
}
