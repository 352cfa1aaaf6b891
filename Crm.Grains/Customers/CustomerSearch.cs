namespace Crm.Customers;

/// <param name="Text">Matched anywhere in names, emails, phones and company; null lists everyone.</param>
public sealed record CustomerSearch(string TenantId, string? Text, CustomerListCursor? After, int Limit)
{
    public const int MaxLimit = 200;
}

public sealed record CustomerSearchPage(IReadOnlyList<CustomerSummary> Items, CustomerListCursor? Next);
