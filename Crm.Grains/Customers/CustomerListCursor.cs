namespace Crm.Customers;

/// <summary>A position in a tenant's customer list, ordered by lower-cased name, then id.</summary>
public readonly record struct CustomerListCursor(string SortName, string CustomerId) : IComparable<CustomerListCursor>
{
    public int CompareTo(CustomerListCursor other)
    {
        var byName = string.CompareOrdinal(SortName, other.SortName);
        return byName != 0 ? byName : string.CompareOrdinal(CustomerId, other.CustomerId);
    }
}
