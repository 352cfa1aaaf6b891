using Crm.Security;

namespace Crm.Merges;

/// <summary>
/// One merge of customers, keyed by <see cref="MergeKey"/>: carries it out, keeps its record (the audit), and undoes
/// it. Each step is one a customer grain does once however often it is asked, so a merge interrupted by a crash is
/// finished by a reminder, not left half done.
/// </summary>
[Alias("crm.merge-grain")]
public interface IMergeGrain : IGrainWithStringKey
{
    /// <returns>The completed merge; the same merge asked again returns it.</returns>
    /// <exception cref="MergeRefusedException"/>
    /// <exception cref="Customers.CustomerNotFoundException"/>
    [Alias("merge")]
    Task<MergeRecord> MergeAsync(MergeRequest request, Actor actor);

    /// <summary>
    /// Restores every customer as it was: the merged ones get their profiles, identities and interactions back (those
    /// added to the survivor since stay with it), and the survivor's fields the merge changed go back to their values
    /// before, unless someone has changed them since.
    /// </summary>
    /// <exception cref="MergeRefusedException">Not completed, or a customer of it was merged again since.</exception>
    [Alias("undo")]
    Task<MergeRecord> UndoAsync(Actor actor);

    [Alias("get"), Orleans.Concurrency.ReadOnly]
    Task<MergeRecord?> GetAsync();
}

/// <summary>
/// A merge that cannot be done (or undone) as asked; <see cref="Field"/> names the request's field at fault.
/// <see cref="Conflict"/> when the request is fine but the customers' state forbids it (merged already, undone since).
/// </summary>
[GenerateSerializer, Alias("crm.merge-refused")]
public sealed class MergeRefusedException(string field, string reason, bool conflict = false) : Exception(reason)
{
    [Id(0)] public string Field { get; } = field;
    [Id(1)] public bool Conflict { get; } = conflict;
}
