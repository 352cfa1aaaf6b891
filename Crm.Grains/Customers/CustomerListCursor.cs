using System.Text.Json.Serialization;

namespace Crm.Customers;

/// <summary>
/// A position in a tenant's customer list: by default ordered by lower-cased name, then id; in another
/// <see cref="CustomerSort"/>, by that field's <see cref="Value"/>, then id.
/// </summary>
public readonly record struct CustomerListCursor
{
    /// <summary>Read from a cursor through this constructor, so that a cursor lacking either part is no cursor.</summary>
    [JsonConstructor]
    public CustomerListCursor(string sortName, string customerId) => (SortName, CustomerId) = (sortName, customerId);

    public string SortName { get; }

    public string CustomerId { get; }

    /// <summary>The sort the position is in, as the API names it; none for the default, by name.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Sort { get; init; }

    /// <summary>The sorted field's value as a number, in any sort but by name.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long Value { get; init; }

    /// <summary>A position among what the search's words found with slips forgiven, its text as typed having found nobody.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Slips { get; init; }
}
