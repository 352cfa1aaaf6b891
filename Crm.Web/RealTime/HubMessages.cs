using Crm.Customers;
using Crm.Web.Customers;
using Crm.Web.Timeline;
using Microsoft.AspNetCore.SignalR;

namespace Crm.Web.RealTime;

/// <summary>
/// What clients of the hub receive. Every change of a customer carries the customer's change number in "sequence";
/// viewersChanged (who is looking at the customer now) is not a change of the customer and has none.
/// </summary>
public static class HubMessages
{
    public const string InteractionAdded = "interactionAdded";
    public const string CustomerChanged = "customerChanged";
    public const string CustomerDeleted = "customerDeleted";
    /// <summary>The customer was merged into another: the page follows "survivorId".</summary>
    public const string CustomerMerged = "customerMerged";
    /// <summary>Interactions left the customer's timeline (an undone merge gave them back to "toCustomerId").</summary>
    public const string InteractionsRemoved = "interactionsRemoved";
    public const string ViewersChanged = "viewersChanged";
    /// <summary>A tenant's live KPIs, to dashboard watchers, a few times a second at most.</summary>
    public const string KpisChanged = "kpisChanged";

    /// <summary>An import of the tenant moved on: its status and counters, as GET /api/imports/{id} answers.</summary>
    public const string ImportProgress = "importProgress";

    /// <summary>How many customers each of the tenant's segments holds, by segment id: the whole picture each time.</summary>
    public const string SegmentCountsChanged = "segmentCountsChanged";

    /// <summary>The tenant's duplicate detection moved on (a scan's progress, changed customers checked): its status, as GET /api/duplicates/scan answers.</summary>
    public const string DuplicatesChanged = "duplicatesChanged";

    /// <summary>The tenant's value segments: their training's progress, a new version, another version put in use.</summary>
    public const string ValueSegmentsChanged = "valueSegmentsChanged";

    public sealed record CustomerDeletedMessage(string Id, long Sequence);

    public sealed record CustomerMergedMessage(string Id, string SurvivorId, long Sequence);

    public sealed record InteractionsRemovedMessage(string CustomerId, IReadOnlyList<Guid> InteractionIds, string ToCustomerId, long Sequence);

    public sealed record SegmentCountsMessage(IReadOnlyDictionary<string, long> MemberCounts, DateTimeOffset CountedAt)
    {
        public static SegmentCountsMessage From(Crm.Segments.SegmentCounts counts) => new(counts.MemberCounts, counts.CountedAt);
    }

    public static Task SendAsync(IClientProxy clients, CustomerEvent change, CancellationToken cancellationToken = default) => change switch
    {
        Crm.Customers.InteractionAdded added => clients.SendAsync(InteractionAdded, InteractionResponse.From(added.Interaction), cancellationToken),
        Crm.Customers.CustomerChanged changed => clients.SendAsync(CustomerChanged, CustomerResponse.From(changed.Customer), cancellationToken),
        Crm.Customers.CustomerDeleted deleted => clients.SendAsync(CustomerDeleted, new CustomerDeletedMessage(deleted.Customer.Id, deleted.Sequence), cancellationToken),
        Crm.Customers.CustomerMerged merged => clients.SendAsync(CustomerMerged, new CustomerMergedMessage(merged.Customer.Id, merged.SurvivorId, merged.Sequence), cancellationToken),
        Crm.Customers.InteractionsRemoved removed => clients.SendAsync(
            InteractionsRemoved, new InteractionsRemovedMessage(removed.CustomerId, removed.InteractionIds, removed.ToCustomerId, removed.Sequence), cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(change), change.GetType().Name, "Unknown customer event."),
    };
}
