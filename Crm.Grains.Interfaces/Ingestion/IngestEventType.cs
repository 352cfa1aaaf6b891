namespace Crm.Ingestion;

/// <summary>The calls of the Segment tracking spec, and the webhooks of systems that are not Segment clients.</summary>
public enum IngestEventType
{
    Identify = 0,
    Track = 1,
    Page = 2,
    Screen = 3,
    Group = 4,
    Alias = 5,
    /// <summary>A call, ticket or order a phone system, help desk or shop reported: an interaction, not web engagement.</summary>
    Webhook = 6,
    /// <summary>A row of a file or database import: the customer's fields, matched on the import's key (<see cref="IngestEvent.SourceId"/> is the import's id).</summary>
    Import = 7,
}
