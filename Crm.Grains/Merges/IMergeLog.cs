namespace Crm.Merges;

/// <summary>Every merge's record: the merge grains' state, and the audit trail people read.</summary>
public interface IMergeLog
{
    Task<MergeRecord?> GetAsync(string tenantId, Guid mergeId, CancellationToken cancellationToken = default);

    Task SaveAsync(MergeRecord record, CancellationToken cancellationToken = default);

    /// <summary>Forgets a merge that was refused before it changed any customer: there is nothing to audit.</summary>
    Task DeleteAsync(string tenantId, Guid mergeId, CancellationToken cancellationToken = default);

    /// <summary>Newest first, after <paramref name="after"/>; with <paramref name="customerId"/>, only merges it was part of.</summary>
    Task<IReadOnlyList<MergeRecord>> ListAsync(string tenantId, string? customerId, MergeCursor? after, int limit, CancellationToken cancellationToken = default);
}

public sealed record MergeCursor(DateTimeOffset MergedAt, Guid MergeId);
