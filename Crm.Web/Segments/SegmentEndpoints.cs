using System.Security.Claims;
using System.Text.Json;
using Crm.Customers;
using Crm.Segments;
using Crm.Web.Api;
using Crm.Web.Customers;
using Crm.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Crm.Web.Segments;

/// <summary>
/// Saved segments: supervisors and admins define them, everyone reads them and their members. Who is a member is
/// answered by the customer list at the moment it is asked, so a count always reflects the customers as they are.
/// </summary>
public static class SegmentEndpoints
{
    public const int MaxNameLength = 100;

    public sealed record SegmentRequest(string? Name, JsonElement? Rules);

    public sealed record SegmentResponse(
        string Id, string Name, JsonElement Rules, long MemberCount, long Version,
        DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset UpdatedAt, string UpdatedBy);

    public sealed record SegmentList(IReadOnlyList<SegmentResponse> Items);

    public sealed record PreviewRequest(JsonElement? Rules);

    public sealed record PreviewResponse(long MemberCount, IReadOnlyList<CustomerListResponse.Item> Sample);

    public const int SampleSize = 5;

    public sealed record Services(IGrainFactory Grains, ICustomerDirectory Directory, CustomerProfiles Profiles, TimeProvider Time, HttpContext Http)
    {
        public string TenantId => Http.User.TenantId();

        public ISegmentsGrain Segments => Grains.GetGrain<ISegmentsGrain>(TenantId);

        /// <summary>The tenant's customers a rule holds for, a page after <paramref name="after"/>.</summary>
        public CustomerSearch Members(SegmentRule rule, CustomerListCursor? after = null, int limit = 0) =>
            new(TenantId, null, after, limit) { Rule = rule, Now = Time.GetUtcNow() };
    }

    public static RouteGroupBuilder MapSegmentsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/segments").WithTags("Segments").RequireAuthorization(Policies.Agent);
        group.MapGet("/", ListAsync);
        group.MapGet("/{id}", GetAsync);
        group.MapGet("/{id}/members", MembersAsync);
        group.MapPost("/", CreateAsync).RequireAuthorization(Policies.Supervisor);
        group.MapPost("/preview", PreviewAsync).RequireAuthorization(Policies.Supervisor);
        group.MapPut("/{id}", UpdateAsync).RequireAuthorization(Policies.Supervisor);
        group.MapDelete("/{id}", DeleteAsync).RequireAuthorization(Policies.Supervisor);
        return group;
    }

    private static async Task<Ok<SegmentList>> ListAsync([AsParameters] Services services, CancellationToken cancellationToken)
    {
        var segments = await services.Segments.ListAsync();
        var counts = await services.Directory.CountEachAsync(services.TenantId, [.. segments.Select(s => s.Rule)], services.Time.GetUtcNow(), cancellationToken);
        return TypedResults.Ok(new SegmentList([.. segments.Select((segment, i) => Response(segment, counts[i]))]));
    }

    private static async Task<Results<Ok<SegmentResponse>, NotFound>> GetAsync(string id, [AsParameters] Services services, CancellationToken cancellationToken)
    {
        if (await services.Segments.GetAsync(id) is not { } segment)
        {
            return TypedResults.NotFound();
        }

        services.Http.Response.Headers.ETag = ETag(segment);
        return TypedResults.Ok(await ResponseAsync(segment, services, cancellationToken));
    }

    private static async Task<Results<Ok<CustomerListResponse>, NotFound, ValidationProblem>> MembersAsync(
        string id, [FromQuery] string? cursor, [FromQuery] int? limit, [AsParameters] Services services, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var size = Paging.Limit(errors, limit, CustomerSearch.MaxLimit);
        var after = CustomerListCursors.Read(errors, cursor, CustomerSort.Default);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        if (await services.Segments.GetAsync(id) is not { } segment)
        {
            return TypedResults.NotFound();
        }

        var page = await services.Directory.SearchAsync(services.Members(segment.Rule, after, size), cancellationToken);
        return TypedResults.Ok(new CustomerListResponse(
            page.Items.Select(CustomerListResponse.From).ToList(),
            page.Next is { } next ? Cursors.Encode(next) : null));
    }

    private static async Task<Results<Created<SegmentResponse>, ValidationProblem>> CreateAsync(
        SegmentRequest? request, [AsParameters] Services services, CancellationToken cancellationToken)
    {
        var (name, rule, problem) = await ReadAsync(request, services);
        if (problem is not null)
        {
            return problem;
        }

        var result = await services.Segments.CreateAsync(name!, rule!, services.Http.User.ToActor());
        return result switch
        {
            { Outcome: SegmentSaveOutcome.Saved, Segment: { } segment } =>
                TypedResults.Created($"/api/segments/{segment.Id}", await ResponseAsync(segment, services, cancellationToken)),
            _ => Refused(result.Outcome, name!),
        };
    }

    private static async Task<Results<Ok<SegmentResponse>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        string id, SegmentRequest? request, [AsParameters] Services services, CancellationToken cancellationToken)
    {
        if (!IfMatch.TryParse(services.Http.Request, out var expected))
        {
            return ValidationErrors.Single("If-Match", "Expected a version as the API returns it in the ETag header, e.g. \"3\".");
        }

        var (name, rule, problem) = await ReadAsync(request, services);
        if (problem is not null)
        {
            return problem;
        }

        var result = await services.Segments.UpdateAsync(id, name!, rule!, expected, services.Http.User.ToActor());
        switch (result)
        {
            case { Outcome: SegmentSaveOutcome.Saved, Segment: { } segment }:
                services.Http.Response.Headers.ETag = ETag(segment);
                return TypedResults.Ok(await ResponseAsync(segment, services, cancellationToken));
            case { Outcome: SegmentSaveOutcome.NotFound }:
                return TypedResults.NotFound();
            case { Outcome: SegmentSaveOutcome.VersionMismatch, Segment: { } current }:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status412PreconditionFailed,
                    title: "The segment changed since that version.",
                    detail: $"It is at version {current.Version}; read it again and apply the change to that.");
            default:
                return Refused(result.Outcome, name!);
        }
    }

    /// <summary>Who a rule set would hold, before it is saved: the builder's live count.</summary>
    private static async Task<Results<Ok<PreviewResponse>, ValidationProblem>> PreviewAsync(
        PreviewRequest? request, [AsParameters] Services services, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var rule = await RuleAsync(errors, request?.Rules, services);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var search = services.Members(rule!, limit: SampleSize);
        var sample = await services.Directory.SearchAsync(search, cancellationToken);
        return TypedResults.Ok(new PreviewResponse(
            await services.Directory.CountAsync(search, cancellationToken),
            [.. sample.Items.Select(CustomerListResponse.From)]));
    }

    private static async Task<Results<NoContent, NotFound>> DeleteAsync(string id, [AsParameters] Services services) =>
        await services.Segments.DeleteAsync(id) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static async Task<(string? Name, SegmentRule? Rule, ValidationProblem? Problem)> ReadAsync(SegmentRequest? request, Services services)
    {
        if (request is null)
        {
            return (null, null, ValidationErrors.Single("body", """A JSON object: {"name", "rules"}."""));
        }

        var errors = new ValidationErrors();
        var name = errors.Text("name", request.Name, MaxNameLength, required: true);
        var rule = await RuleAsync(errors, request.Rules, services);
        return errors.Any ? (null, null, errors.ToProblem()) : (name, rule, null);
    }

    private static async Task<SegmentRule?> RuleAsync(ValidationErrors errors, JsonElement? rules, Services services)
    {
        if (rules is not { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } given)
        {
            errors.Add("rules", """Required: e.g. {"field":"tags","op":"contains","value":"vip"}.""");
            return null;
        }

        return SegmentRuleInput.Read(errors, "rules", given, await services.Profiles.FieldsAsync(services.TenantId));
    }

    private static ValidationProblem Refused(SegmentSaveOutcome outcome, string name) => outcome switch
    {
        SegmentSaveOutcome.NameTaken => ValidationErrors.Single("name", $"Another segment is named '{name}'."),
        SegmentSaveOutcome.TooMany => ValidationErrors.Single("name", $"A tenant keeps at most {ISegmentsGrain.MaxSegments} segments."),
        _ => throw new InvalidOperationException($"Unexpected outcome {outcome}."),
    };

    private static async Task<SegmentResponse> ResponseAsync(SavedSegment segment, Services services, CancellationToken cancellationToken) =>
        Response(segment, await services.Directory.CountAsync(services.Members(segment.Rule), cancellationToken));

    private static SegmentResponse Response(SavedSegment segment, long memberCount) => new(
        segment.Id,
        segment.Name,
        SegmentRuleJson.Of(segment.Rule),
        memberCount,
        segment.Version,
        segment.CreatedAt,
        segment.CreatedBy.Name,
        segment.UpdatedAt,
        segment.UpdatedBy.Name);

    private static string ETag(SavedSegment segment) => $"\"{segment.Version}\"";
}
