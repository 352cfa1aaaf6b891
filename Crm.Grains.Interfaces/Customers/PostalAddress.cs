namespace Crm.Customers;

[GenerateSerializer, Immutable, Alias("crm.postal-address")]
public sealed record PostalAddress
{
    [Id(0)] public string? Line1 { get; init; }
    [Id(1)] public string? Line2 { get; init; }
    [Id(2)] public string? City { get; init; }
    [Id(3)] public string? Region { get; init; }
    [Id(4)] public string? PostalCode { get; init; }
    /// <summary>ISO 3166-1 alpha-2.</summary>
    [Id(5)] public string? Country { get; init; }
}
