using System.Security.Claims;
using Crm.Analytics;
using Crm.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Crm.Web.Analytics;

public static class AnalyticsEndpoints
{
    public static RouteGroupBuilder MapAnalyticsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/analytics").WithTags("Analytics").RequireAuthorization(Policies.Supervisor);
        group.MapGet("/live", LiveAsync);
        group.MapGet("/segments", ValueSegmentsAsync);
        group.MapPost("/segments/train", TrainValueSegmentsAsync);
        group.MapPost("/segments/versions/{version:int}/activate", ActivateValueSegmentsAsync);
        group.MapPost("/segments/place", PlaceValueSegmentsAgainAsync);
        return group;
    }

    /// <summary>The value segments in use (k, silhouette, Davies–Bouldin, clusters), the training, the versions kept.</summary>
    private static async Task<Ok<ValueSegmentsResponse>> ValueSegmentsAsync(ClaimsPrincipal user, IGrainFactory grains) =>
        TypedResults.Ok(ValueSegmentsResponse.From(await grains.GetGrain<IValueSegmentsGrain>(user.TenantId()).GetAsync()));

    /// <summary>Starts training from every order on the tenant's timelines, then placing each customer; progress is pushed as valueSegmentsChanged.</summary>
    private static async Task<Accepted<ValueSegmentsResponse>> TrainValueSegmentsAsync(ClaimsPrincipal user, IGrainFactory grains) =>
        TypedResults.Accepted("/api/analytics/segments", ValueSegmentsResponse.From(await grains.GetGrain<IValueSegmentsGrain>(user.TenantId()).TrainAsync(user.ToActor())));

    /// <summary>Places every customer again by the version in use, as of now (a reminder does it daily).</summary>
    private static async Task<Results<Accepted<ValueSegmentsResponse>, ProblemHttpResult>> PlaceValueSegmentsAgainAsync(ClaimsPrincipal user, IGrainFactory grains)
    {
        try
        {
            return TypedResults.Accepted("/api/analytics/segments", ValueSegmentsResponse.From(await grains.GetGrain<IValueSegmentsGrain>(user.TenantId()).PlaceAgainAsync(user.ToActor())));
        }
        catch (InvalidOperationException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The value segments cannot place customers now.", detail: ex.Message);
        }
    }

    private static async Task<Results<Ok<ValueSegmentsResponse>, ProblemHttpResult>> ActivateValueSegmentsAsync(int version, ClaimsPrincipal user, IGrainFactory grains)
    {
        try
        {
            return TypedResults.Ok(ValueSegmentsResponse.From(await grains.GetGrain<IValueSegmentsGrain>(user.TenantId()).ActivateAsync(version, user.ToActor())));
        }
        catch (InvalidOperationException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The value segments are busy.", detail: ex.Message);
        }
        catch (KeyNotFoundException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such version of the value segments.", detail: ex.Message,
                extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["version"] = [ex.Message] } });
        }
    }

    /// <summary>The tenant's live KPIs: events per minute by type and channel, active customers, top events, per agent.</summary>
    private static async Task<Ok<LiveKpis>> LiveAsync(ClaimsPrincipal user, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ITenantActivityGrain>(user.TenantId()).GetKpisAsync());
}
