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

    /// <summary>
    /// An unknown source, a revoked one and a bad signature all get the same 401: the URL alone proves nothing, and the
    /// answer must not tell a guesser which sources exist. Why a known source's signature failed shows in its debugger.
    /// </summary>
    private static async Task<IResult> ReceiveAsync(
        Guid sourceId, HttpContext http, ISourceStore sources, SourceSecrets secrets, SourceRateLimits limits, IngestWriter writer, SourceOutcomes outcomes, TimeProvider time)
    {
        var (body, unreadable) = await RequestBodies.ReadAsync(http.Request, MaxBodyBytes, http.RequestAborted);
        if (unreadable is not null)
        {
            return unreadable;
        }

        var now = time.GetUtcNow();
        var source = await sources.FindAsync(sourceId, http.RequestAborted);
        if (source is not { IsRevoked: false })
        {
            return NotSigned();
        }

        if (WebhookSignatures.Check(http.Request.Headers[WebhookSignatures.Header], secrets.Unprotect(source.SigningSecret), body.Span, now) is { } reason)
        {
            await outcomes.RecordAsync(source, [new DebuggerEntry { At = now, Outcome = DebuggerOutcome.Rejected, Reason = reason, Type = "webhook" }]);
            return NotSigned();
        }

        var (document, problem) = JsonInput.Parse(body);
        if (problem is not null)
        {
            return ValidationErrors.Single(problem.Field, problem.Message);
        }

        using (document)
        {
            var json = document!.RootElement;
            var (ingested, problems) = WebhookEvents.Read(json, source.Actor, now);
            if (ingested is null)
            {
                await outcomes.RecordAsync(source, [SourceOutcomes.Rejected(now, json, string.Join(" ", problems.Select(p => $"{p.Field}: {p.Message}")), IngestEventType.Webhook)]);
                return TrackingEndpoints.ToProblem(problems, prefix: null);
            }

            if (limits.TryAcquire(source, 1) is { } retryAfter)
            {
                return IngestAnswers.RateLimited(http, retryAfter);
            }

            if (await writer.TryAppendAsync(source.TenantId, [ingested], http.RequestAborted) is not { } stored)
            {
                return IngestAnswers.Busy(http);
            }

            if (stored.Refused.TryGetValue(0, out var refused))
            {
                return ValidationErrors.Single("body", refused);
            }

            await outcomes.RecordAsync(source, [SourceOutcomes.Entry(ingested, json, stored.IsNew[0])]);
            return TypedResults.Ok(new WebhookAccepted(true, !stored.IsNew[0], ingested.MessageId));
        }
    }

    private static IResult NotSigned() => TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized,
        title: "The webhook is not signed by a known source.",
        detail: $"Send the {WebhookSignatures.Header} header: {WebhookSignatures.Format}, made within {WebhookSignatures.Tolerance.TotalMinutes:0} minutes of now.");
}
