using Crm.Customers;

namespace Crm.Timeline;

/// <summary>The embedded mode's timeline: kept in this process, lost when it stops.</summary>
public sealed class InMemoryTimelineStore : ITimelineStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<CustomerKey, List<Interaction>> _bySequence = [];
    private readonly Dictionary<(string Tenant, string ExternalId), Interaction> _byExternalId = [];
    private readonly Dictionary<(string Tenant, Guid MergeId), List<(Guid InteractionId, string From, long Sequence)>> _moves = [];

    public Task<IReadOnlyList<InteractionAppendResult>> AppendAsync(CustomerKey customer, IReadOnlyList<Interaction> interactions, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_bySequence.TryGetValue(customer, out var timeline))
            {
                _bySequence[customer] = timeline = [];
            }

            if (interactions.Count > 0 && timeline.Count > 0 && timeline[^1].Sequence >= interactions[0].Sequence)
            {
                return Task.FromException<IReadOnlyList<InteractionAppendResult>>(
                    new InvalidOperationException($"Customer {customer} already has sequence {timeline[^1].Sequence}; cannot append {interactions[0].Sequence}."));
            }

            var results = new List<InteractionAppendResult>();
            foreach (var interaction in interactions)
            {
                if (interaction.ExternalId is { } externalId && _byExternalId.TryGetValue((customer.TenantId, externalId), out var existing))
                {
                    results.Add(new InteractionAppendResult(existing, Created: false));
                    continue;
                }

                timeline.Add(interaction);
                if (interaction.ExternalId is { } id)
                {
                    _byExternalId[(customer.TenantId, id)] = interaction;
                }

                results.Add(new InteractionAppendResult(interaction, Created: true));
            }

            return Task.FromResult<IReadOnlyList<InteractionAppendResult>>(results);
        }
    }

    public Task<TimelinePage> ReadAsync(CustomerKey customer, TimelineQuery query, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var page = Read(customer)
                .Where(i => query.Channel is null || i.Channel == query.Channel)
                .Where(i => query.After is not { } after || after.Precedes(i))
                .OrderByDescending(i => i.OccurredAt)
                .ThenByDescending(i => i.Sequence)
                .Take(query.Limit + 1)
                .ToList();
            return Task.FromResult(TimelinePages.From(page, query.Limit));
        }
    }

    public Task<IReadOnlyList<Interaction>> ReadSinceAsync(CustomerKey customer, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<Interaction> result = Read(customer).Where(i => i.Sequence > afterSequence).Take(limit).ToList();
            return Task.FromResult(result);
        }
    }

    public Task<IReadOnlyList<Interaction>> ReadLatestAsync(CustomerKey customer, int limit, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<Interaction> result = Read(customer).TakeLast(limit).ToList();
            return Task.FromResult(result);
        }
    }

    public Task<Interaction?> FindAsync(CustomerKey customer, Guid interactionId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(Read(customer).FirstOrDefault(i => i.Id == interactionId));
        }
    }

    public Task<IReadOnlyList<Interaction>> ReadChannelAsync(string tenantId, InteractionChannel channel, TimelinePosition? after, int limit, CancellationToken cancellationToken = default)
    {
        bool IsAfter(Interaction i) => after is not { } a || string.CompareOrdinal(i.CustomerId, a.CustomerId) is var order && (order > 0 || (order == 0 && i.Sequence > a.Sequence));
        lock (_lock)
        {
            IReadOnlyList<Interaction> page =
            [
                .. _bySequence.Where(t => t.Key.TenantId == tenantId)
                    .OrderBy(t => t.Key.CustomerId, StringComparer.Ordinal)
                    .SelectMany(t => t.Value.OrderBy(i => i.Sequence))
                    .Where(i => i.Channel == channel && IsAfter(i))
                    .Take(limit),
            ];
            return Task.FromResult(page);
        }
    }

    public Task<IReadOnlyList<Interaction>> MoveAsync(CustomerKey from, CustomerKey to, long firstSequence, Guid? mergeId = null, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_bySequence.Remove(from, out var moving))
            {
                return Task.FromResult<IReadOnlyList<Interaction>>([]);
            }

            var moved = moving.Select((i, n) => i with { CustomerId = to.CustomerId, Sequence = firstSequence + n }).ToList();
            if (mergeId is { } merge)
            {
                _moves[(to.TenantId, merge)] = [.. _moves.GetValueOrDefault((to.TenantId, merge), []), .. moving.Select(i => (i.Id, from.CustomerId, i.Sequence))];
            }

            Place(to, moved);
            return Task.FromResult<IReadOnlyList<Interaction>>(moved);
        }
    }

    public Task<IReadOnlyList<Interaction>> MoveBackAsync(CustomerKey survivor, Guid mergeId, string customerId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var moves = _moves.GetValueOrDefault((survivor.TenantId, mergeId), []);
            var origins = moves.Where(m => m.From == customerId).ToDictionary(m => m.InteractionId, m => m.Sequence);
            _moves[(survivor.TenantId, mergeId)] = [.. moves.Where(m => m.From != customerId)];
            var timeline = _bySequence.GetValueOrDefault(survivor, []);
            var back = timeline.Where(i => origins.ContainsKey(i.Id)).Select(i => i with { CustomerId = customerId, Sequence = origins[i.Id] }).ToList();
            timeline.RemoveAll(i => origins.ContainsKey(i.Id));
            Place(new CustomerKey(survivor.TenantId, customerId), back);
            return Task.FromResult<IReadOnlyList<Interaction>>([.. back.OrderBy(i => i.Sequence)]);
        }
    }

    /// <summary>Puts interactions on a customer's timeline, kept in sequence order.</summary>
    private void Place(CustomerKey customer, List<Interaction> interactions)
    {
        if (!_bySequence.TryGetValue(customer, out var target))
        {
            _bySequence[customer] = target = [];
        }

        target.AddRange(interactions);
        target.Sort((x, y) => x.Sequence.CompareTo(y.Sequence));
        foreach (var interaction in interactions.Where(i => i.ExternalId is not null))
        {
            _byExternalId[(customer.TenantId, interaction.ExternalId!)] = interaction;
        }
    }

    private IReadOnlyList<Interaction> Read(CustomerKey customer) =>
        _bySequence.TryGetValue(customer, out var timeline) ? timeline : [];
}
