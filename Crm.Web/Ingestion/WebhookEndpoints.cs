using System.Text.Json;
using Crm.Ingestion;
using Crm.Web.Api;

namespace Crm.Web.Ingestion;

public static class WebhookEndpoints
{
    public const int MaxBodyBytes = 64 * 1024;

    public static RouteHandlerBuilder MapWebhooksApi(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/api/webhooks/{sourceId:guid}", ReceiveAsync).WithTags("Webhooks").AllowAnonymous()
            .WithMetadata(new BodySizeLimit(MaxBodyBytes));

    public sealed record WebhookAccepted(bool Success, bool Duplicate, string MessageId);

    /// <summary>An unknown source, a revoked one and a bad signature all get the same 401: the URL alone proves nothing.</summary>
    private static async Task<IResult> ReceiveAsync(
        Guid sourceId, HttpContext http, ISourceStore sources, SourceSecrets secrets, IngestWriter writer, SourceOutcomes outcomes, TimeProvider time)
    {
        var body = await RequestBodies.ReadAsync(http.Request, MaxBodyBytes, http.RequestAborted);
        if (body is null)
        {
            return ValidationErrors.Single("body", $"Larger than {MaxBodyBytes / 1024} KB.");
        }

        var now = time.GetUtcNow();
        var source = await sources.FindAsync(sourceId, http.RequestAborted);
        var problem = source is { IsRevoked: false }
            ? WebhookSignatures.Check(http.Request.Headers[WebhookSignatures.Header], secrets.Unprotect(source.SigningSecret), body, now)
            : "Unknown or revoked source.";
        if (problem is not null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "The webhook is not signed by this source.", detail: problem);
        }

        JsonElement json;
        try
        {
            using var document = JsonDocument.Parse(body);
            json = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return ValidationErrors.Single("body", JsonProblems.Describe(ex).Message);
        }

        var (ingested, errors) = WebhookEvents.Read(json, source!, now);
        if (ingested is null)
        {
            outcomes.Record(source!, [new DebuggerEntry { At = now, Outcome = DebuggerOutcome.Rejected, Reason = string.Join(" ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")), Payload = json.GetRawText() }]);
            return errors.ToProblem();
        }

        var stored = await writer.TryAppendAsync([new LoggedEvent(source!.TenantId, ingested)], http.RequestAborted);
        if (stored is null)
        {
            return TrackingEndpoints.Saturated(http);
        }

        outcomes.Record(source, [new DebuggerEntry
        {
            At = now,
            Outcome = stored[0] ? DebuggerOutcome.Accepted : DebuggerOutcome.Duplicate,
            MessageId = ingested.MessageId,
            Type = "webhook",
            Name = ingested.Name,
            Payload = json.GetRawText(),
        }]);
        return TypedResults.Ok(new WebhookAccepted(true, !stored[0], ingested.MessageId));
    }
}
