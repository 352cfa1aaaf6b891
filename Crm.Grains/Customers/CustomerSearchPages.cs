namespace Crm.Customers;

internal static class CustomerSearchPages
{
    /// <summary>Builds a page from up to limit + 1 rows: the extra row only says that another page exists.</summary>
    public static CustomerSearchPage From(IReadOnlyList<CustomerSummary> rows, CustomerSearch search)
    {
        var items = rows.Take(search.Limit).ToList();
        return new CustomerSearchPage(items, rows.Count > search.Limit ? search.Sort.PositionOf(items[^1]) : null);
    }
}
