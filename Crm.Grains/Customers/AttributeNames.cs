using System.Text.RegularExpressions;

namespace Crm.Customers;

/// <summary>The names custom attributes may have, the same wherever they come from: the API, traits, imports.</summary>
public static partial class AttributeNames
{
    public const int MaxLength = 64;

    public static bool IsValid(string name) => Pattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex Pattern();
}
