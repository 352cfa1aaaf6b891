namespace Crm.Storage;

/// <summary>Enums are stored as lower-case names, so the tables read well in SQL and survive reordered members.</summary>
internal static class DbText
{
    public static string From<TEnum>(TEnum value) where TEnum : struct, Enum => value.ToString().ToLowerInvariant();

    public static TEnum To<TEnum>(string value) where TEnum : struct, Enum => Enum.Parse<TEnum>(value, ignoreCase: true);
}
