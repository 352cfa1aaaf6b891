using System.Collections.Immutable;
using Crm.Customers;
using Crm.Security;

namespace Crm.Merges;

public enum MergeStatus
{
    /// <summary>Under way (or interrupted, and resumed by a reminder).</summary>
    Merging = 0,
    Completed = 1,
    Undoing = 2,
    Undone = 3,
    /// <summary>Refused by a customer part way (deleted, or merged elsewhere meanwhile): every customer was put back.</summary>
    Failed = 4,
}

/// <summary>
/// A merge as audited and as undone: who merged which customers into which and when, every customer as it was just
/// before (the survivor first: as it was when it took them over), and the survivor's profile the merge made.
/// </summary>
[GenerateSerializer, Immutable, Alias("crm.merge-record")]
public sealed record MergeRecord
{
    [Id(0)] public Guid Id { get; init; }
    [Id(1)] public string TenantId { get; init; } = "";
    [Id(2)] public MergeRequest Request { get; init; } = new("", [], ImmutableDictionary<string, string>.Empty);
    [Id(3)] public MergeStatus Status { get; init; }
    [Id(4)] public Actor MergedBy { get; init; } = new("", "");
    [Id(5)] public DateTimeOffset MergedAt { get; init; }
    /// <summary>The survivor, then each merged customer, as they were before the merge.</summary>
    [Id(6)] public ImmutableArray<Customer> Before { get; init; } = [];
    [Id(7)] public CustomerProfile After { get; init; } = new();
    [Id(8)] public Actor? UndoneBy { get; init; }
    [Id(9)] public DateTimeOffset? UndoneAt { get; init; }
    /// <summary>Why it <see cref="MergeStatus.Failed"/>, and the request's field at fault.</summary>
    [Id(10)] public MergeFailure? Failure { get; init; }

    public string SurvivorId => Request.SurvivorId;
}

[GenerateSerializer, Immutable, Alias("crm.merge-failure")]
public sealed record MergeFailure([property: Id(0)] string Field, [property: Id(1)] string Reason);
