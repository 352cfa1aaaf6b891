using System.Collections.Immutable;
using Crm.Security;

namespace Crm.Customers;

/// <summary>
/// The people viewing one customer, across all web nodes; keyed like the customer. Kept in memory only: web nodes
/// refresh their viewers periodically, and viewers not refreshed for a while (their node died) drop out.
/// Every change is published as <see cref="ViewersChanged"/> on the customer's viewers stream.
/// </summary>
[Alias("crm.customer-viewers-grain")]
public interface ICustomerViewersGrain : IGrainWithStringKey
{
    /// <param name="viewerId">One open view, such as a hub connection; a person with two tabs is one viewer.</param>
    [Alias("join")]
    Task<ImmutableArray<Actor>> JoinAsync(string viewerId, Actor user);

    [Alias("leave")]
    Task LeaveAsync(string viewerId);

    /// <summary>Tells the grain that these views are still open.</summary>
    [Alias("refresh")]
    Task RefreshAsync(ImmutableArray<string> viewerIds);
}

/// <summary>Everyone viewing the customer now, one entry per person.</summary>
[GenerateSerializer, Immutable, Alias("crm.viewers-changed")]
public sealed record ViewersChanged(
    [property: Id(0)] string CustomerId,
    [property: Id(1)] ImmutableArray<Actor> Viewers);
