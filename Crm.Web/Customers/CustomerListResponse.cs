using Crm.Customers;

namespace Crm.Web.Customers;

/// <summary>A page of the customer list; each row carries the fields the list can be sorted by.</summary>
public sealed record CustomerListResponse(IReadOnlyList<CustomerListResponse.Item> Items, string? NextCursor)
{
    public sealed record Item(
        string Id,
        string DisplayName,
        string? PrimaryEmail,
        string? PrimaryPhone,
        string? Company,
        LifecycleStage Lifecycle,
        IReadOnlyList<string> Tags,
        DateTimeOffset UpdatedAt,
        DateTimeOffset CreatedAt,
        DateTimeOffset? LastContactAt,
        long TotalInteractions);

    public static Item From(CustomerSummary summary) => new(
        summary.Key.CustomerId,
        summary.DisplayName,
        summary.PrimaryEmail,
        summary.PrimaryPhone,
        summary.Company,
        summary.Lifecycle,
        summary.Tags,
        summary.UpdatedAt,
        summary.CreatedAt,
        summary.LastContactAt,
        summary.TotalInteractions);
}
