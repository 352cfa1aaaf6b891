namespace Crm.Web.Api;

/// <summary>The query parameters every list endpoint shares, validated the same way everywhere.</summary>
public static class Paging
{
    public const int DefaultLimit = 50;

    public static int Limit(ValidationErrors errors, int? limit, int max)
    {
        if (limit is { } value && (value < 1 || value > max))
        {
            errors.Add("limit", $"Between 1 and {max}.");
        }

        return limit ?? Math.Min(DefaultLimit, max);
    }

    public static T? Cursor<T>(ValidationErrors errors, string? cursor)
    {
        if (!Cursors.TryDecode<T>(cursor, out var position))
        {
            errors.Add("cursor", "Not a cursor this API returned.");
        }

        return position;
    }
}
