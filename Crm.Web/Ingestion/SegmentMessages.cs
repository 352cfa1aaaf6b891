using System.Globalization;
using System.Text.Json;
using Crm.Ingestion;

namespace Crm.Web.Ingestion;

/// <summary>
/// Reads messages of the Segment HTTP Tracking API (identify, track, page, screen, group, alias) into ingest
/// events: the spec's field names, its 32 KB message limit, and its clock-skew correction of timestamps.
/// </summary>
public static class SegmentMessages
{
    public const int MaxMessageBytes = 32 * 1024;
    public const int MaxBatchBytes = 500 * 1024;
    private const int MaxIdLength = 200;

    public static readonly IReadOnlyDictionary<string, IngestEventType> Types = new Dictionary<string, IngestEventType>(StringComparer.Ordinal)
    {
        ["identify"] = IngestEventType.Identify,
        ["track"] = IngestEventType.Track,
        ["page"] = IngestEventType.Page,
        ["screen"] = IngestEventType.Screen,
        ["group"] = IngestEventType.Group,
        ["alias"] = IngestEventType.Alias,
    };

    /// <summary>
    /// One message. <paramref name="type"/> comes from the endpoint, or from the message's "type" in a batch; the
    /// batch's own context and sentAt apply to messages that have none.
    /// </summary>
    /// <returns>The event, or why the message cannot be accepted.</returns>
    public static (IngestEvent? Event, string? Problem) Read(
        JsonElement message, IngestEventType? type, Source source, DateTimeOffset receivedAt, JsonElement? batchContext = null, DateTimeOffset? batchSentAt = null)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            return (null, "A message is a JSON object.");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(message.GetRawText()) > MaxMessageBytes)
        {
            return (null, $"The message is larger than {MaxMessageBytes / 1024} KB.");
        }

        if (type is null)
        {
            if (Text(message, "type") is not { } typeName || !Types.TryGetValue(typeName, out var fromMessage))
            {
                return (null, $"\"type\" must be one of: {string.Join(", ", Types.Keys)}.");
            }

            type = fromMessage;
        }

        var problems = new List<string>();
        var userId = Id(message, "userId", problems);
        var anonymousId = Id(message, "anonymousId", problems);
        var previousId = Id(message, "previousId", problems);
        var groupId = Id(message, "groupId", problems);
        var messageId = Id(message, "messageId", problems) ?? $"crm-{Guid.CreateVersion7():N}";
        var name = type == IngestEventType.Track ? Text(message, "event") : Text(message, "name");
        var timestamp = Time(message, "timestamp", problems) ?? Time(message, "originalTimestamp", problems);
        var sentAt = Time(message, "sentAt", problems) ?? batchSentAt;
        var traits = Object(message, "traits", problems);
        var properties = Object(message, "properties", problems);
        var context = Object(message, "context", problems) ?? (batchContext is { ValueKind: JsonValueKind.Object } c ? c.GetRawText() : null);

        if (userId is null && anonymousId is null)
        {
            problems.Add("\"userId\" or \"anonymousId\" is required.");
        }

        switch (type)
        {
            case IngestEventType.Track when string.IsNullOrWhiteSpace(name):
                problems.Add("\"event\" is required for track.");
                break;
            case IngestEventType.Alias when previousId is null || userId is null:
                problems.Add("\"previousId\" and \"userId\" are required for alias.");
                break;
            case IngestEventType.Group when groupId is null:
                problems.Add("\"groupId\" is required for group.");
                break;
        }

        if (name is { Length: > MaxIdLength })
        {
            problems.Add($"The event or page name is longer than {MaxIdLength} characters.");
        }

        if (problems.Count > 0)
        {
            return (null, string.Join(" ", problems));
        }

        // Segment's correction for the sender's clock: the time between "it happened" and "it was sent", measured
        // on the sender's clock, counted back from when it arrived.
        var occurredAt = timestamp is { } t && sentAt is { } s ? receivedAt - (s - t) : timestamp ?? receivedAt;
        return (new IngestEvent
        {
            MessageId = messageId,
            SourceId = source.Id,
            SourceName = source.Name,
            Type = type.Value,
            UserId = userId,
            AnonymousId = anonymousId,
            PreviousId = previousId,
            GroupId = groupId,
            Name = name,
            Timestamp = occurredAt,
            ReceivedAt = receivedAt,
            Traits = traits,
            Properties = properties,
            Context = context,
        }, null);
    }

    private static string? Text(JsonElement message, string property) =>
        message.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Ids may be strings or numbers (Segment's libraries send both).</summary>
    private static string? Id(JsonElement message, string property, List<string> problems)
    {
        if (!message.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var id = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
        if (id is null || id.Length > MaxIdLength)
        {
            problems.Add($"\"{property}\" must be a string or a number of at most {MaxIdLength} characters.");
            return null;
        }

        return id.Length == 0 ? null : id;
    }

    private static DateTimeOffset? Time(JsonElement message, string property, List<string> problems)
    {
        if (!message.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return parsed.ToUniversalTime();
        }

        problems.Add($"\"{property}\" must be an ISO 8601 date and time.");
        return null;
    }

    private static string? Object(JsonElement message, string property, List<string> problems)
    {
        if (!message.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"\"{property}\" must be an object.");
            return null;
        }

        return value.GetRawText();
    }
}
