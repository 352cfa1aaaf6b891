namespace Crm.Ingestion;

/// <summary>The calls of the Segment tracking spec; webhooks arrive as <see cref="Track"/> events with well-known names.</summary>
public enum IngestEventType
{
    Identify = 0,
    Track = 1,
    Page = 2,
    Screen = 3,
    Group = 4,
    Alias = 5,
}
