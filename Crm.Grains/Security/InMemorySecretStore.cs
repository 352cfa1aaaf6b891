using System.Collections.Concurrent;

namespace Crm.Security;

public sealed class InMemorySecretStore : ISecretStore
{
    private readonly ConcurrentDictionary<string, byte[]> _secrets = new();

    public Task<byte[]> GetOrCreateAsync(string name, Func<byte[]> create, CancellationToken cancellationToken = default) =>
        Task.FromResult(_secrets.GetOrAdd(name, _ => create()));
}
