using Crm.Merges;
using Crm.Security;
using Crm.Web.Customers;

namespace Crm.Web.Merges;

/// <summary>
/// A merge as the API shows it: the audit of who merged what, every customer as it was, and the survivor the merge
/// made (none while it is starting); a failed one says why.
/// </summary>
public sealed record MergeResponse(
    Guid Id,
    string Status,
    string SurvivorId,
    IReadOnlyList<string> MergedIds,
    IReadOnlyDictionary<string, string> Fields,
    Actor MergedBy,
    DateTimeOffset MergedAt,
    Actor? UndoneBy,
    DateTimeOffset? UndoneAt,
    IReadOnlyList<CustomerResponse> Before,
    CustomerResponse? After,
    MergeFailure? Failure)
{
    public static MergeResponse From(MergeRecord record) => new(
        record.Id,
        record.Status.ToString().ToLowerInvariant(),
        record.SurvivorId,
        record.Request.MergedIds,
        record.Request.Fields,
        record.MergedBy,
        record.MergedAt,
        record.UndoneBy,
        record.Status == MergeStatus.Undone ? record.UndoneAt : null,
        [.. record.Before.Select(CustomerResponse.From)],
        record.Before.IsEmpty ? null : CustomerResponse.From(record.Before[0] with { Profile = record.After }),
        record.Failure);
}

public sealed record MergeList(IReadOnlyList<MergeResponse> Items, string? NextCursor);
