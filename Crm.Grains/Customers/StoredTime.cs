namespace Crm.Customers;

/// <summary>Times as the stores keep them.</summary>
internal static class StoredTime
{
    /// <summary>PostgreSQL keeps microseconds: every store sees the same instant, and cursors round-trip.</summary>
    public static DateTimeOffset Of(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero);
}
