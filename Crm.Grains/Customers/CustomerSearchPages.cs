namespace Crm.Customers;

internal static class CustomerSearchPages
{
    /// <summary>Builds a page from up to limit + 1 rows: the extra row only says that another page exists.</summary>
    public static CustomerSearchPage From(IReadOnlyList<CustomerSummary> rows, int limit)
    {
        var items = rows.Take(limit).ToList();
        return new CustomerSearchPage(items, rows.Count > limit ? items[^1].Position : null);
    }
}
