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
        return group;
    }

    /// <summary>The tenant's live KPIs: events per minute by type and channel, active customers, top events, per agent.</summary>
    private static async Task<Ok<LiveKpis>> LiveAsync(ClaimsPrincipal user, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ITenantActivityGrain>(user.TenantId()).GetKpisAsync());
}
