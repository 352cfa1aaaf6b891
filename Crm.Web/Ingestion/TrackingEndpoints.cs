using System.Text.Json;
using Crm.Ingestion;
using Crm.Web.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Crm.Web.Ingestion;

/// <summary>
/// The Segment HTTP Tracking API, so that Segment's libraries and tools work unchanged against this host:
/// /v1/identify, track, page, screen, group, alias and batch, authenticated with the source's write key (HTTP Basic,
/// empty password), gzip accepted. An answer of success means the events are durable. A message that cannot be taken
/// in is answered with a 400 naming its index and field; the others of its batch are stored all the same.
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

    public sealed record Services(SourceAuthenticator Sources, SourceRateLimits Limits, IngestWriter Writer, SourceOutcomes Outcomes, TimeProvider Time);

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
        var (ingested, problems) = SegmentMessages.Read(message, type, source.Actor, receivedAt);
        if (ingested is null)
        {
            await services.Outcomes.RecordAsync(source, [SourceOutcomes.Rejected(receivedAt, message, Describe(problems), type)]);
            return ToProblem(problems, prefix: null);
        }

        if (services.Limits.TryAcquire(source, 1) is { } retryAfter)
        {
            return IngestAnswers.RateLimited(http, retryAfter);
        }

        if (await services.Writer.TryAppendAsync(source.TenantId, [ingested], http.RequestAborted) is not { } stored)
        {
            return IngestAnswers.Busy(http);
        }

        if (stored.Refused.TryGetValue(0, out var refused))
        {
            await services.Outcomes.RecordAsync(source, [SourceOutcomes.Rejected(receivedAt, message, refused, type)]);
            return ValidationErrors.Single("body", refused);
        }

        await services.Outcomes.RecordAsync(source, [SourceOutcomes.Entry(ingested, message, stored.IsNew[0])]);
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

        var context = body.TryGetProperty("context", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
        if (context.ValueKind == JsonValueKind.Object && JsonInput.Check(context, "context") is { } badContext)
        {
            return ValidationErrors.Single(badContext.Field, badContext.Message);
        }

        var receivedAt = services.Time.GetUtcNow();
        var sentAt = JsonInput.String(body, "sentAt") is { } s && DateTimeOffset.TryParse(s, out var at) && at >= EventTimes.Earliest ? at : (DateTimeOffset?)null;
        // In the order sent: the debugger shows a batch as its messages came.
        var messages = batch.EnumerateArray()
            .Select((message, index) => (message, index, read: SegmentMessages.Read(message, type: null, source.Actor, receivedAt, context, sentAt)))
            .ToList();
        var accepted = messages.Where(m => m.read.Event is not null).ToList();
        if (services.Limits.TryAcquire(source, accepted.Count) is { } retryAfter)
        {
            return IngestAnswers.RateLimited(http, retryAfter);
        }

        if (await services.Writer.TryAppendAsync(source.TenantId, [.. accepted.Select(a => a.read.Event!)], http.RequestAborted) is not { } stored)
        {
            return IngestAnswers.Busy(http);
        }

        var outcomes = accepted.Select((a, i) => (a.index, isNew: stored.IsNew[i], refused: stored.Refused.GetValueOrDefault(i))).ToDictionary(x => x.index);
        await services.Outcomes.RecordAsync(source, [.. messages.Select(m => m.read.Event is { } ingested
            ? outcomes[m.index].refused is { } refused ? SourceOutcomes.Rejected(receivedAt, m.message, refused) : SourceOutcomes.Entry(ingested, m.message, outcomes[m.index].isNew)
            : SourceOutcomes.Rejected(receivedAt, m.message, Describe(m.read.Problems)))]);

        var problems = messages
            .SelectMany(m => m.read.Problems.Select(p => p.Under($"batch[{m.index}]")))
            .Concat(outcomes.Values.Where(o => o.refused is not null).Select(o => new FieldProblem($"batch[{o.index}]", o.refused!)))
            .ToList();
        var storedCount = outcomes.Values.Count(o => o.refused is null);
        var newCount = outcomes.Values.Count(o => o.refused is null && o.isNew);
        if (problems.Count == 0 && batch.GetArrayLength() == 0)
        {
            problems.Add(new FieldProblem("batch", "The batch is empty."));
        }

        if (problems.Count > 0)
        {
            // The others are stored: the 400 says which messages were not, and how many were.
            var answer = ToProblem(problems, prefix: null);
            return TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ValidationProblemDetails(answer.ProblemDetails.Errors)
            {
                Status = StatusCodes.Status400BadRequest,
                Title = storedCount > 0 ? "Some messages are not valid; the others were stored." : "The request is not valid.",
                Extensions = { ["accepted"] = newCount, ["duplicates"] = storedCount - newCount },
            });
        }

        var rejected = messages.Where(m => m.read.Event is null).Select(m => new Rejection(m.index, Describe(m.read.Problems))).ToList();
        return TypedResults.Ok(new BatchResult(true, newCount, storedCount - newCount, rejected));
    }

    private static async Task<(JsonElement Json, IResult? Problem)> ReadJsonAsync(HttpContext http, int maxBytes)
    {
        var (body, tooLarge) = await RequestBodies.ReadAsync(http.Request, maxBytes, http.RequestAborted);
        if (tooLarge is not null)
        {
            return (default, tooLarge);
        }

        var (document, problem) = JsonInput.Parse(body, checkAll: false);
        if (problem is not null)
        {
            return (default, ValidationErrors.Single(problem.Field, problem.Message));
        }

        using (document)
        {
            return (document!.RootElement.Clone(), null);
        }
    }

    private static Task<Source?> AuthenticateAsync(HttpContext http, JsonElement body, Services services) =>
        services.Sources.AuthenticateAsync(http.Request, JsonInput.String(body, "writeKey"), http.RequestAborted);

    private static IResult Unauthorized(HttpContext http)
    {
        http.Response.Headers.WWWAuthenticate = "Basic realm=\"crm\"";
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unknown or revoked write key.",
            detail: "Send the source's write key as the HTTP Basic user name, with an empty password.");
    }

    private static string Describe(IReadOnlyList<FieldProblem> problems) =>
        string.Join(" ", problems.Select(p => p.Field.Length == 0 ? p.Message : $"{p.Field}: {p.Message}"));

    internal static ValidationProblem ToProblem(IEnumerable<FieldProblem> problems, string? prefix)
    {
        var errors = new ValidationErrors();
        foreach (var problem in problems)
        {
            errors.Add(prefix is null ? (problem.Field.Length == 0 ? "message" : problem.Field) : problem.Under(prefix).Field, problem.Message);
        }

        return errors.ToProblem();
    }
}
