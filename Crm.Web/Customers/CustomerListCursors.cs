using Crm.Customers;
using Crm.Web.Api;

namespace Crm.Web.Customers;

/// <summary>A customer list's cursor as a request carries it: readable, and a position in the order asked for.</summary>
public static class CustomerListCursors
{
    public static CustomerListCursor? Read(ValidationErrors errors, string? cursor, CustomerSort sort)
    {
        var after = Paging.Cursor<CustomerListCursor?>(errors, cursor);
        if (after is { } position && !sort.Positions(position))
        {
            errors.Add("cursor", "This cursor is from a list in another order: page with the sort it was made for.");
            return null;
        }

        return after;
    }
}
