using System.Collections.Immutable;
using Crm.Ingestion;
using Crm.Security;
using Crm.Timeline;
using Orleans.Concurrency;

namespace Crm.Customers;

/// <summary>
/// One customer, keyed "{tenant}/{customerId}" (see <see cref="CustomerKey"/>): the single writer of its profile and timeline.
/// Writes publish a <see cref="CustomerEvent"/> on the customer's stream.
/// </summary>
[Alias("crm.customer-grain")]
public interface ICustomerGrain : IGrainWithStringKey
{
    /// <exception cref="CustomerAlreadyExistsException"/>
    [Alias("create")]
    Task<Customer> CreateAsync(CustomerProfile profile, Actor actor);

    /// <returns>The customer, or null when it does not exist or was deleted.</returns>
    [Alias("get"), ReadOnly]
    Task<Customer?> GetAsync();

    /// <summary>
    /// Makes this customer the one a tenant export holds, as it was: profile, version, change number, counters,
    /// engagement, identities (claimed in the index), who made and last changed it. Its timeline rows are restored
    /// beside it, straight into the timeline store.
    /// </summary>
    /// <exception cref="CustomerAlreadyExistsException"/>
    [Alias("restore")]
    Task RestoreAsync(Customer customer);

    /// <exception cref="CustomerNotFoundException"/>
    /// <exception cref="VersionConflictException">The profile is no longer at <paramref name="expectedVersion"/>.</exception>
    [Alias("update-profile")]
    Task<Customer> UpdateProfileAsync(CustomerProfile profile, long expectedVersion, Actor actor);

    /// <summary>Soft delete: the customer disappears from reads, its history stays for audit.</summary>
    /// <exception cref="CustomerNotFoundException"/>
    /// <exception cref="VersionConflictException"/>
    [Alias("delete")]
    Task DeleteAsync(long? expectedVersion, Actor actor);

    /// <summary>Appends to the timeline; an interaction whose external id is already stored is returned, not stored again.</summary>
    /// <exception cref="CustomerNotFoundException"/>
    /// <exception cref="ExternalIdConflictException"/>
    [Alias("add-interaction")]
    Task<InteractionAppendResult> AddInteractionAsync(NewInteraction interaction);

    /// <exception cref="CustomerNotFoundException"/>
    [Alias("get-interaction"), ReadOnly]
    Task<Interaction?> GetInteractionAsync(Guid interactionId);

    /// <exception cref="CustomerNotFoundException"/>
    [Alias("get-timeline"), ReadOnly]
    Task<TimelinePage> GetTimelineAsync(TimelineQuery query);

    /// <summary>
    /// Applies a batch of integrations' events, in order: creates the customer if it is new, claims the identities
    /// the events name for it, takes in traits (the latest by event time wins, field by field), and puts tracked
    /// events, page views, screens and webhooks on the timeline in one append. An event applied before changes nothing.
    /// </summary>
    /// <exception cref="CustomerMergedException">Apply them to the customer this one was merged into.</exception>
    [Alias("apply-events")]
    Task<AppliedEvents> ApplyEventsAsync(ImmutableArray<RoutedEvent> events);

    /// <summary>
    /// Claims the customer's identities in the identity index: those integrations know it by, and with
    /// <paramref name="withProfile"/> its profile's emails, phones and external id too. The upgrade that introduced
    /// the index fills it this way; a customer claims what it gains by itself.
    /// </summary>
    [Alias("claim-identities")]
    Task ClaimIdentitiesAsync(bool withProfile);

    /// <summary>Writes the customer's whole row in the customer list again: the upgrade that adds to the row does this.</summary>
    [Alias("project")]
    Task ProjectAsync();

    [Alias("standing"), ReadOnly]
    Task<CustomerStanding> GetStandingAsync();

    /// <summary>
    /// Puts the customer in the segment of <paramref name="model"/> its orders place it in (counting them from its
    /// timeline first if it has not yet), or in none when it has not ordered, unless a later choice of model
    /// (<paramref name="generation"/>) placed it already; null for a customer deleted or merged.
    /// </summary>
    [Alias("assign-value-segment")]
    Task<Analytics.ValueSegmentAssignment?> AssignValueSegmentAsync(Analytics.ValueSegmentsVersion model, long generation);

    /// <summary>Folds another (anonymous) customer into this one: its timeline, identities and what the profile lacks.</summary>
    /// <exception cref="CannotMergeException">The other customer is identified: identified customers are never merged automatically.</exception>
    [Alias("absorb")]
    Task AbsorbAsync(string customerId);

    /// <summary>
    /// Holds this customer for a merge (or its undo) until the merge lets go: another merge asking is refused, and so
    /// is deleting it. Asked again by the same merge, it holds still.
    /// </summary>
    /// <returns>The customer as it is.</returns>
    /// <exception cref="Merges.MergeRefusedException">Another merge holds it (a conflict).</exception>
    /// <exception cref="CustomerMergedException">It was merged into another customer.</exception>
    /// <exception cref="CustomerNotFoundException"/>
    [Alias("reserve-for-merge")]
    Task<Customer> ReserveForMergeAsync(Guid mergeId);

    /// <summary>Lets go of a merge's hold once the merge is recorded done (or refused); nothing if it holds none.</summary>
    [Alias("release-merge")]
    Task ReleaseMergeAsync(Guid mergeId);

    /// <summary>
    /// A refused merge's way back, before the survivor took anything over: a customer it marked merged is itself again
    /// where it stands; one it only held is let go; one another merge has now is left alone.
    /// </summary>
    [Alias("roll-back-merge-into")]
    Task RollBackMergeIntoAsync(Guid mergeId);

    /// <summary>
    /// Marks this customer as merged into <paramref name="survivorId"/> and hands over what it knew. A customer not
    /// created yet is marked all the same, so that an event on its way to it is sent on to the survivor.
    /// </summary>
    /// <exception cref="CustomerMergedException">It was merged into another customer already.</exception>
    /// <exception cref="CannotMergeException">It is identified (known by a user id, email or phone), or a merge holds it.</exception>
    /// <param name="mergeId">A merge a person asked for: identified customers are merged too, and the merge can be undone.</param>
    [Alias("merge-into")]
    Task<Customer?> MergeIntoAsync(string survivorId, Guid? mergeId = null);

    /// <summary>
    /// The survivor of a merge, held by it, takes over the merged customers (already marked merged into it): their
    /// timelines (where each row came from is kept, for undo) and identities, and the profile the merge's field
    /// choices compose from them and the survivor as it is now. Asked again while the merge holds it, it gives the
    /// same answer and moves nothing more.
    /// </summary>
    /// <exception cref="Merges.MergeRefusedException">The merge does not hold it, or a field choice names no field or customer.</exception>
    [Alias("take-over")]
    Task<Merges.SurvivedMerge> TakeOverAsync(Guid mergeId, ImmutableArray<Customer> merged, ImmutableDictionary<string, string> fields, Actor actor);

    /// <summary>
    /// The survivor's side of undoing a merge, held by it: gives each merged customer back the interactions and
    /// identities the merge moved, recounts its own counters, and takes back the values the merge changed that nobody
    /// changed since. The hold stays until the merge lets go, once the merged customers are back. Asked again, it
    /// changes nothing more.
    /// </summary>
    [Alias("undo-merge")]
    Task<Customer> UndoMergeAsync(Merges.MergeRecord record, Actor actor);

    /// <summary>
    /// A merged customer's side of an undone merge: it is again as it was before it, with its timeline
    /// back, held by the undo until the undo lets go. Asked again, it changes nothing more.
    /// </summary>
    /// <exception cref="CustomerMergedException">It was merged by another merge.</exception>
    [Alias("restore-from-merge")]
    Task<Customer> RestoreFromMergeAsync(Guid mergeId, Customer before, Actor actor);

    /// <summary>
    /// A web node watches this customer: its changes are published on the customer's stream for a lease, which
    /// watchers renew. A customer nobody watches publishes nothing, which keeps bulk ingest cheap.
    /// </summary>
    /// <returns>The latest change number (0 before the customer exists): what a watcher must have seen to be up to date.</returns>
    [Alias("watch")]
    Task<long> WatchAsync();

    /// <summary>Events after <paramref name="afterSequence"/>, oldest first, at most <paramref name="limit"/>.</summary>
    /// <exception cref="CustomerNotFoundException"/>
    [Alias("get-changes"), ReadOnly]
    Task<CustomerChanges> GetChangesSinceAsync(long afterSequence, int limit);
}
