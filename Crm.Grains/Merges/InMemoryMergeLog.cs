using System.Collections.Concurrent;

namespace Crm.Merges;

public sealed class InMemoryMergeLog : IMergeLog
{
    private readonly ConcurrentDictionary<(string TenantId, Guid MergeId), MergeRecord> _records = new();

    public Task<MergeRecord?> GetAsync(string tenantId, Guid mergeId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_records.GetValueOrDefault((tenantId, mergeId)));

    public Task SaveAsync(MergeRecord record, CancellationToken cancellationToken = default)
    {
        _records[(record.TenantId, record.Id)] = record;
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string tenantId, Guid mergeId, CancellationToken cancellationToken = default)
    {
        _records.TryRemove((tenantId, mergeId), out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<MergeRecord>> ListAsync(string tenantId, string? customerId, MergeCursor? after, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<MergeRecord>>([.. _records.Values
            .Where(r => r.TenantId == tenantId && (customerId is null || r.SurvivorId == customerId || r.Request.MergedIds.Contains(customerId)))
            .OrderByDescending(r => r.MergedAt).ThenByDescending(r => r.Id)
            .Where(r => after is null || r.MergedAt < after.MergedAt || (r.MergedAt == after.MergedAt && r.Id.CompareTo(after.MergeId) < 0))
            .Take(limit)]);
}
