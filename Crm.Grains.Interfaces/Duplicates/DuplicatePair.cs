using System.Collections.Immutable;

namespace Crm.Duplicates;

/// <summary>Why two customers look like one: the field, how alike its values are (1 is equal), and in words.</summary>
[GenerateSerializer, Immutable, Alias("crm.duplicate-reason")]
public sealed record DuplicateReason(
    [property: Id(0)] string Field,
    [property: Id(1)] double Similarity,
    [property: Id(2)] string Text);

/// <summary>
/// Two customers that may be one person, the lower id first, with a score from 0 to 1 and the reasons.
/// <see cref="ExactIdentity"/> when they share an email, phone or external id: the only pairs merged automatically.
/// </summary>
[GenerateSerializer, Immutable, Alias("crm.duplicate-pair")]
public sealed record DuplicatePair(
    [property: Id(0)] string FirstId,
    [property: Id(1)] string SecondId,
    [property: Id(2)] double Score,
    [property: Id(3)] ImmutableArray<DuplicateReason> Reasons,
    [property: Id(4)] bool ExactIdentity);

public enum DuplicateScanStatus
{
    NeverRun = 0,
    Running = 1,
    Completed = 2,
}

/// <summary>Where a tenant's check of every customer against every other stands.</summary>
[GenerateSerializer, Immutable, Alias("crm.duplicate-scan")]
public sealed record DuplicateScan(
    [property: Id(0)] string TenantId,
    [property: Id(1)] DuplicateScanStatus Status,
    [property: Id(2)] long Checked,
    [property: Id(3)] long Total,
    [property: Id(4)] DateTimeOffset? StartedAt,
    [property: Id(5)] DateTimeOffset? FinishedAt,
    [property: Id(6)] long PendingChanges);
