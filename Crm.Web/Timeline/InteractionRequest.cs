using System.Text.Json.Serialization;

namespace Crm.Web.Timeline;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record InteractionRequest
{
    /// <summary>call, email, chat, sms, meeting, note, web, app or order.</summary>
    public string? Channel { get; init; }
    /// <summary>inbound, outbound or internal; notes default to internal, everything else to inbound.</summary>
    public string? Direction { get; init; }
    /// <summary>ISO 8601; UTC when no offset is given; now when absent.</summary>
    public string? OccurredAt { get; init; }
    public string? Subject { get; init; }
    public string? Body { get; init; }
    public int? DurationSeconds { get; init; }
    public string? Outcome { get; init; }
    /// <summary>The source system's id for it: sending the same one again returns the stored interaction.</summary>
    public string? ExternalId { get; init; }
    public Dictionary<string, string?>? Metadata { get; init; }
}
