using System.Text.Json.Serialization;

namespace Crm.Customers;

/// <summary>A position in a tenant's customer list, ordered by lower-cased name, then id.</summary>
public readonly record struct CustomerListCursor : IComparable<CustomerListCursor>
{
    /// <summary>Read from a cursor through this constructor, so that a cursor lacking either part is no cursor.</summary>
    [JsonConstructor]
    public CustomerListCursor(string sortName, string customerId) => (SortName, CustomerId) = (sortName, customerId);

    public string SortName { get; }

    public string CustomerId { get; }

    public int CompareTo(CustomerListCursor other)
    {
        var byName = string.CompareOrdinal(SortName, other.SortName);
        return byName != 0 ? byName : string.CompareOrdinal(CustomerId, other.CustomerId);
    }
}
