using System.Collections.Immutable;

namespace Crm.Timeline;

internal static class TimelinePages
{
    /// <summary>Builds a page from up to limit + 1 rows: the extra row only says that another page exists.</summary>
    public static TimelinePage From(IReadOnlyList<Interaction> rows, int limit)
    {
        var items = rows.Take(limit).ToImmutableArray();
        var next = rows.Count > limit ? TimelineCursor.After(items[^1]) : (TimelineCursor?)null;
        return new TimelinePage(items, next);
    }
}
