using Crm.Customers;

namespace Crm.Merges;

/// <summary>
/// The survivor's step of a merge: the survivor as it was when it took the others over, and the profile it got,
/// composed from them then (so that nothing changed on the survivor while the merge was under way is overwritten).
/// </summary>
[GenerateSerializer, Immutable, Alias("crm.survived-merge")]
public sealed record SurvivedMerge(
    [property: Id(0)] Guid MergeId,
    [property: Id(1)] Customer Before,
    [property: Id(2)] CustomerProfile After,
    [property: Id(3)] bool Undone = false);
