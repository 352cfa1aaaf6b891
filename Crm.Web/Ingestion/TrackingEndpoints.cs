using System.Collections.Immutable;
using System.Text.Json;
using Crm.Ingestion;
using Crm.Web.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Crm.Web.Ingestion;

/// <summary>
/// The Segment HTTP Tracking API, so that Segment's libraries and tools work unchanged against this host:
/// /v1/identify, track, page, screen, group, alias and batch, authenticated with the source's write key (HTTP Basic,
/// empty password), gzip accepted. An answer of success means the events are durable.
/// </summary>
public static class TrackingEndpoints
{
    public static RouteGroupBuilder MapTrackingApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1").WithTags("Tracking (Segment-compatible)").AllowAnonymous()
            .WithMetadata(new BodySizeLimit(SegmentMessages.MaxBatchBytes));
        foreach (var (name, type) in SegmentMessages.Types)
        {
            group.MapPost($"/{name}", (HttpContext http, [AsParameters] Services services) => ReceiveOneAsync(http, type, services));
        }

        group.MapPost("/batch", ReceiveBatchAsync);
        group.MapPost("/import", ReceiveBatchAsync);
        return group;
    }

    public sealed record Services(SourceAuthenticator Sources, IngestWriter Writer, SourceOutcomes Outcomes, TimeProvider Time);

    public sealed record SuccessResponse(bool Success);

    public sealed record Rejection(int Index, string Reason);

    public sealed record BatchResult(bool Success, int Accepted, int Duplicates, IReadOnlyList<Rejection> Rejected);

    private static async Task<IResult> ReceiveOneAsync(HttpContext http, IngestEventType type, Services services)
    {
        var (message, problem) = await ReadJsonAsync(http, SegmentMessages.MaxMessageBytes);
        if (problem is not null)
        {
            return problem;
        }

        if (await AuthenticateAsync(http, message, services) is not { } source)
        {
            return Unauthorized(http);
        }

        var receivedAt = services.Time.GetUtcNow();
        var (ingested, reason) = SegmentMessages.Read(message, type, source, receivedAt);
        if (ingested is null)
        {
            services.Outcomes.Record(source, [Rejected(receivedAt, message, reason!, type)]);
            return ValidationErrors.Single("message", reason!);
        }

        var stored = await services.Writer.TryAppendAsync([new LoggedEvent(source.TenantId, ingested)], http.RequestAborted);
        if (stored is null)
        {
            return Saturated(http);
        }

        services.Outcomes.Record(source, [Entry(ingested, message, stored[0])]);
        return TypedResults.Ok(new SuccessResponse(true));
    }

    private static async Task<IResult> ReceiveBatchAsync(HttpContext http, [AsParameters] Services services)
    {
        var (body, problem) = await ReadJsonAsync(http, SegmentMessages.MaxBatchBytes);
        if (problem is not null)
        {
            return problem;
        }

        if (await AuthenticateAsync(http, body, services) is not { } source)
        {
            return Unauthorized(http);
        }

        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("batch", out var batch) || batch.ValueKind != JsonValueKind.Array)
        {
            return ValidationErrors.Single("batch", "Required: an array of messages.");
        }

        var receivedAt = services.Time.GetUtcNow();
        var context = body.TryGetProperty("context", out var c) ? c : (JsonElement?)null;
        var sentAt = body.TryGetProperty("sentAt", out var s) && s.ValueKind == JsonValueKind.String && s.TryGetDateTimeOffset(out var at) ? at : (DateTimeOffset?)null;
        // In the order sent: the debugger shows a batch as its messages came.
        var messages = batch.EnumerateArray()
            .Select((message, index) => (message, index, read: SegmentMessages.Read(message, type: null, source, receivedAt, context, sentAt)))
            .ToList();
        var accepted = messages.Where(m => m.read.Event is not null).ToList();
        var rejected = messages.Where(m => m.read.Event is null).Select(m => new Rejection(m.index, m.read.Problem!)).ToList();
        bool[] stored = [];
        if (accepted.Count > 0)
        {
            if (await services.Writer.TryAppendAsync(accepted.Select(a => new LoggedEvent(source.TenantId, a.read.Event!)).ToList(), http.RequestAborted) is not { } result)
            {
                return Saturated(http);
            }

            stored = result;
        }

        var outcome = accepted.Select((a, i) => (a.index, stored[i])).ToDictionary(x => x.index, x => x.Item2);
        services.Outcomes.Record(source, [.. messages.Select(m => m.read.Event is { } ingested
            ? Entry(ingested, m.message, outcome[m.index])
            : Rejected(receivedAt, m.message, m.read.Problem!))]);
        if (accepted.Count == 0)
        {
            var errors = new ValidationErrors();
            rejected.ForEach(r => errors.Add($"batch[{r.Index}]", r.Reason));
            if (!errors.Any)
            {
                errors.Add("batch", "The batch is empty.");
            }

            return errors.ToProblem();
        }

        return TypedResults.Ok(new BatchResult(true, stored.Count(isNew => isNew), stored.Count(isNew => !isNew), rejected));
    }

    private static async Task<(JsonElement Json, IResult? Problem)> ReadJsonAsync(HttpContext http, int maxBytes)
    {
        var body = await RequestBodies.ReadAsync(http.Request, maxBytes, http.RequestAborted);
        if (body is null)
        {
            return (default, ValidationErrors.Single("body", $"Larger than {maxBytes / 1024} KB once decompressed."));
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return (document.RootElement.Clone(), null);
        }
        catch (JsonException ex)
        {
            return (default, ValidationErrors.Single("body", JsonProblems.Describe(ex).Message));
        }
    }

    private static Task<Source?> AuthenticateAsync(HttpContext http, JsonElement body, Services services)
    {
        var writeKey = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("writeKey", out var key) && key.ValueKind == JsonValueKind.String
            ? key.GetString()
            : null;
        return services.Sources.AuthenticateAsync(http.Request, writeKey, http.RequestAborted);
    }

    private static IResult Unauthorized(HttpContext http)
    {
        http.Response.Headers.WWWAuthenticate = "Basic realm=\"crm\"";
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unknown or revoked write key.",
            detail: "Send the source's write key as the HTTP Basic user name, with an empty password.");
    }

    /// <summary>The answer when the ingest writer has too much in flight, for the tracking API and webhooks alike.</summary>
    internal static IResult Saturated(HttpContext http)
    {
        http.Response.Headers.RetryAfter = "1";
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Busy: too many events are waiting to be stored.",
            detail: "Nothing of this request was stored. Send it again after the Retry-After delay.");
    }

    private static DebuggerEntry Entry(IngestEvent ingested, JsonElement message, bool isNew) => new()
    {
        At = ingested.ReceivedAt,
        Outcome = isNew ? DebuggerOutcome.Accepted : DebuggerOutcome.Duplicate,
        Reason = isNew ? null : "This message id was received before; it is not applied again.",
        MessageId = ingested.MessageId,
        Type = ingested.Type.ToString().ToLowerInvariant(),
        Name = ingested.Name,
        Payload = Payload(message),
    };

    /// <param name="calledAs">The type the call's path names (/v1/track), which a single message need not repeat.</param>
    private static DebuggerEntry Rejected(DateTimeOffset at, JsonElement message, string reason, IngestEventType? calledAs = null) => new()
    {
        At = at,
        Outcome = DebuggerOutcome.Rejected,
        Reason = reason,
        MessageId = message.ValueKind == JsonValueKind.Object && message.TryGetProperty("messageId", out var id) ? id.ToString() : null,
        Type = calledAs?.ToString().ToLowerInvariant()
            ?? (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("type", out var type) ? type.ToString() : null),
        Payload = Payload(message),
    };

    private static string Payload(JsonElement message)
    {
        var text = message.GetRawText();
        return text.Length <= 4096 ? text : text[..4096] + "…";
    }
}
