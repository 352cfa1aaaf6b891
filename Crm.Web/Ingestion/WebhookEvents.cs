using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Crm.Ingestion;
using Crm.Web.Api;

namespace Crm.Web.Ingestion;

/// <summary>
/// The webhook shapes systems that are not Segment clients send: phone systems (call.started, call.ended),
/// help desks (ticket.created, ticket.updated) and shops (order.placed). Each becomes a tracked event on the
/// customer it names, identified by "{type}:{id}" so that a redelivered webhook is applied once.
/// </summary>
public static class WebhookEvents
{
    public static readonly IReadOnlyDictionary<string, (string Name, string Object)> Types = new Dictionary<string, (string, string)>
    {
        ["call.started"] = ("Call Started", "call"),
        ["call.ended"] = ("Call Ended", "call"),
        ["ticket.created"] = ("Ticket Created", "ticket"),
        ["ticket.updated"] = ("Ticket Updated", "ticket"),
        ["order.placed"] = ("Order Placed", "order"),
    };

    public static (IngestEvent? Event, ValidationErrors Errors) Read(JsonElement body, Source source, DateTimeOffset receivedAt)
    {
        var errors = new ValidationErrors();
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors.Add("body", "A JSON object.");
            return (null, errors);
        }

        var type = Text(body, "type");
        if (type is null || !Types.TryGetValue(type, out var kind))
        {
            errors.Add("type", $"One of: {string.Join(", ", Types.Keys)}.");
            return (null, errors);
        }

        var id = errors.Text("id", Text(body, "id"), 200, required: true);
        var occurredAt = receivedAt;
        if (Text(body, "occurredAt") is { } at && !DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out occurredAt))
        {
            errors.Add("occurredAt", "Expected an ISO 8601 date and time.");
        }

        var customer = body.TryGetProperty("customer", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
        var userId = customer.ValueKind == JsonValueKind.Object ? Text(customer, "userId") : null;
        if (customer.ValueKind != JsonValueKind.Object || (userId is null && Text(customer, "email") is null && Text(customer, "phone") is null))
        {
            errors.Add("customer", "Required: an object with the customer's userId, email or phone.");
        }

        if (!body.TryGetProperty(kind.Object, out var details) || details.ValueKind != JsonValueKind.Object)
        {
            errors.Add(kind.Object, $"Required: an object describing the {kind.Object}.");
        }

        if (errors.Any)
        {
            return (null, errors);
        }

        return (new IngestEvent
        {
            MessageId = $"{type}:{id}",
            SourceId = source.Id,
            SourceName = source.Name,
            Type = IngestEventType.Track,
            UserId = userId,
            Name = kind.Name,
            Timestamp = occurredAt.ToUniversalTime(),
            ReceivedAt = receivedAt,
            Properties = details.GetRawText(),
            Context = new JsonObject { ["traits"] = JsonNode.Parse(customer.GetRawText()) }.ToJsonString(),
        }, errors);
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
