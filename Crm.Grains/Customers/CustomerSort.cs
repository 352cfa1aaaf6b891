namespace Crm.Customers;

public enum CustomerSortField
{
    Name = 0,
    CreatedAt = 1,
    LastContactAt = 2,
    TotalInteractions = 3,
}

/// <summary>
/// The order of a customer list, by a field's API name with "-" before it for descending ("-lastContactAt"); the
/// customer id breaks ties, in the same direction, so that paging is stable. Customers never contacted come first
/// by last contact ascending and last descending.
/// </summary>
public readonly record struct CustomerSort(CustomerSortField Field, bool Descending)
{
    public static readonly CustomerSort Default = new(CustomerSortField.Name, Descending: false);

    private static readonly (string Name, CustomerSortField Field)[] Names =
    [
        ("name", CustomerSortField.Name),
        ("createdAt", CustomerSortField.CreatedAt),
        ("lastContactAt", CustomerSortField.LastContactAt),
        ("totalInteractions", CustomerSortField.TotalInteractions),
    ];

    public static string Choices => string.Join(", ", Names.Select(n => n.Name));

    public static bool TryParse(string text, out CustomerSort sort)
    {
        var descending = text.StartsWith('-');
        var name = descending ? text[1..] : text;
        var found = Names.FirstOrDefault(n => n.Name == name);
        sort = new CustomerSort(found.Field, descending);
        return found.Name is not null;
    }

    public override string ToString()
    {
        var field = Field;
        return (Descending ? "-" : "") + Names.First(n => n.Field == field).Name;
    }

    /// <summary>Where a customer is in a list in this order: what a cursor after it holds.</summary>
    public CustomerListCursor PositionOf(CustomerSummary row) => Field == CustomerSortField.Name
        ? new CustomerListCursor(row.DisplayName.ToLowerInvariant(), row.Key.CustomerId) { Sort = CursorSort }
        : new CustomerListCursor("", row.Key.CustomerId) { Sort = CursorSort, Value = ValueOf(row) };

    /// <summary>Orders positions as this sort lists them: a negative number when <paramref name="x"/> comes first.</summary>
    public int Compare(CustomerListCursor x, CustomerListCursor y)
    {
        var order = Field == CustomerSortField.Name ? string.CompareOrdinal(x.SortName, y.SortName) : x.Value.CompareTo(y.Value);
        order = order != 0 ? order : string.CompareOrdinal(x.CustomerId, y.CustomerId);
        return Descending ? -order : order;
    }

    /// <summary>Whether a cursor is a position in a list in this order (and not one handed out for another).</summary>
    public bool Positions(CustomerListCursor cursor) => cursor.Sort == CursorSort;

    /// <summary>What a cursor says of its sort: nothing for the default, so that cursors made before sorting still page.</summary>
    private string? CursorSort => this == Default ? null : ToString();

    /// <summary>The field as a number: times in microseconds since 1970 (as PostgreSQL keeps them), none as the least.</summary>
    private long ValueOf(CustomerSummary row) => Field switch
    {
        CustomerSortField.CreatedAt => Microseconds(row.CreatedAt),
        CustomerSortField.LastContactAt => row.LastContactAt is { } at ? Microseconds(at) : long.MinValue,
        CustomerSortField.TotalInteractions => row.TotalInteractions,
        _ => 0,
    };

    private static long Microseconds(DateTimeOffset at) => (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
}
