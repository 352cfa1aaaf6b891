using Crm.Customers;

namespace Crm.Ingestion;

/// <summary>The embedded mode's identity index: in this process, lost when it stops.</summary>
public sealed class InMemoryIdentityIndex : IIdentityIndex
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TenantIdentity, string> _owners = [];
    private readonly Dictionary<CustomerKey, HashSet<Identity>> _byCustomer = [];

    public Task<IReadOnlyDictionary<TenantIdentity, IdentityOwner>> FindAsync(IReadOnlyCollection<TenantIdentity> identities, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var found = new Dictionary<TenantIdentity, IdentityOwner>();
            foreach (var identity in identities)
            {
                if (_owners.TryGetValue(identity, out var customerId))
                {
                    var owned = _byCustomer[new CustomerKey(identity.TenantId, customerId)];
                    found[identity] = new IdentityOwner(customerId, owned.Any(i => i.Kind != IdentityKind.Anonymous), owned.Count(i => i.Kind == IdentityKind.User));
                }
            }

            return Task.FromResult<IReadOnlyDictionary<TenantIdentity, IdentityOwner>>(found);
        }
    }

    public Task<IReadOnlySet<Identity>> ClaimAsync(CustomerKey customer, IReadOnlyCollection<Identity> identities, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var owned = new HashSet<Identity>();
            foreach (var identity in identities)
            {
                var key = new TenantIdentity(customer.TenantId, identity);
                if (_owners.TryAdd(key, customer.CustomerId))
                {
                    Owned(customer).Add(identity);
                }

                if (_owners[key] == customer.CustomerId)
                {
                    owned.Add(identity);
                }
            }

            return Task.FromResult<IReadOnlySet<Identity>>(owned);
        }
    }

    public Task ReleaseAsync(CustomerKey customer, IReadOnlyCollection<Identity> identities, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            foreach (var identity in identities)
            {
                var key = new TenantIdentity(customer.TenantId, identity);
                if (_owners.TryGetValue(key, out var owner) && owner == customer.CustomerId)
                {
                    _owners.Remove(key);
                    Owned(customer).Remove(identity);
                }
            }

            return Task.CompletedTask;
        }
    }

    public Task MoveAsync(CustomerKey from, CustomerKey to, IReadOnlyCollection<Identity> identities, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            foreach (var identity in Owned(from).ToList())
            {
                var key = new TenantIdentity(from.TenantId, identity);
                Owned(from).Remove(identity);
                if (identities.Contains(identity))
                {
                    _owners[key] = to.CustomerId;
                    Owned(to).Add(identity);
                }
                else
                {
                    _owners.Remove(key);
                }
            }

            return Task.CompletedTask;
        }
    }

    public Task HandOverAsync(CustomerKey from, CustomerKey to, IReadOnlyCollection<Identity> identities, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            foreach (var identity in Owned(from).Where(identities.Contains).ToList())
            {
                Owned(from).Remove(identity);
                _owners[new TenantIdentity(from.TenantId, identity)] = to.CustomerId;
                Owned(to).Add(identity);
            }

            return Task.CompletedTask;
        }
    }

    private HashSet<Identity> Owned(CustomerKey customer)
    {
        if (!_byCustomer.TryGetValue(customer, out var owned))
        {
            _byCustomer[customer] = owned = [];
        }

        return owned;
    }
}
