using System.Globalization;

namespace Crm.Customers;

public enum AttributeKind
{
    Text = 0,
    Number = 1,
    Boolean = 2,
    Date = 3,
}

/// <summary>
/// A tenant-defined attribute value with its type, kept in invariant text form so that
/// numbers keep their precision and dates their calendar day wherever they travel.
/// </summary>
[GenerateSerializer, Immutable, Alias("crm.attribute-value")]
public sealed record AttributeValue(
    [property: Id(0)] AttributeKind Kind,
    [property: Id(1)] string Value)
{
    public static AttributeValue Text(string value) => new(AttributeKind.Text, value);

    public static AttributeValue Number(decimal value) => new(AttributeKind.Number, value.ToString(CultureInfo.InvariantCulture));

    public static AttributeValue Boolean(bool value) => new(AttributeKind.Boolean, value ? "true" : "false");

    public static AttributeValue Date(DateOnly value) => new(AttributeKind.Date, value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
}
