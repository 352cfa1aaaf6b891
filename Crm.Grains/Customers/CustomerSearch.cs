namespace Crm.Customers;

/// <param name="Text">Matched anywhere in names, emails, phones and company; null lists everyone.</param>
public sealed record CustomerSearch(string TenantId, string? Text, CustomerListCursor? After, int Limit)
{
    public const int MaxLimit = 200;

    /// <summary>Only the customers this rule holds for (a segment's, or a filter's).</summary>
    public Segments.SegmentRule? Rule { get; init; }

    /// <summary>What "now" is to a rule's <c>within</c>.</summary>
    public DateTimeOffset Now { get; init; }

    /// <summary>The text as search text holds it: lower case, and a phone number however it was typed as its digits.</summary>
    public string? Pattern => Text is not { Length: > 0 } text ? null : TelephoneNumbers.AsSearchDigits(text) ?? text.ToLowerInvariant();
}

public sealed record CustomerSearchPage(IReadOnlyList<CustomerSummary> Items, CustomerListCursor? Next);
