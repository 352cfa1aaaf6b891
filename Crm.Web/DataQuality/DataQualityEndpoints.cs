using System.Security.Claims;
using Crm.Customers;
using Crm.DataQuality;
using Crm.Web.Api;
using Crm.Web.Customers;
using Crm.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Crm.Web.DataQuality;

/// <summary>
/// The tenant's data quality: completeness per field, values that fail their rules, stale records, a score per
/// customer and for the tenant, and its trend from scan to scan, each problem with customers that have it.
/// </summary>
public static class DataQualityEndpoints
{
    public sealed record RulesRequest(List<string?>? Required, int? StaleAfterDays);

    public sealed record TrendPoint(DateTimeOffset At, long Customers, double Score);

    public sealed record DataQualityResponse(DataQualityRules Rules, DataQualityReport? Latest, IReadOnlyList<TrendPoint> Trend, long? Scanning);

    public sealed record CustomerQualityResponse(double Score, IReadOnlyList<ProblemResponse> Problems);

    public sealed record ProblemResponse(string Rule, string Field);

    public static RouteGroupBuilder MapDataQualityApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/data-quality").WithTags("Data quality");
        group.MapGet("/", GetAsync).RequireAuthorization(Policies.Supervisor);
        group.MapPost("/scan", Scan).RequireAuthorization(Policies.Supervisor);
        group.MapPut("/rules", SetRulesAsync).RequireAuthorization(Policies.Admin);
        group.MapGet("/customers/{id}", CustomerAsync).RequireAuthorization(Policies.Agent);
        return group;
    }

    private static async Task<Ok<DataQualityResponse>> GetAsync(ClaimsPrincipal caller, IGrainFactory grains, DataQualityScanner scanner)
    {
        var grain = grains.GetGrain<IDataQualityGrain>(caller.TenantId());
        var reports = await grain.GetReportsAsync();
        return TypedResults.Ok(new DataQualityResponse(await grain.GetRulesAsync(), reports.LastOrDefault(),
            [.. reports.Select(r => new TrendPoint(r.At, r.Customers, r.Score))], scanner.Scanned(caller.TenantId())));
    }

    private static Results<Accepted, ProblemHttpResult> Scan(ClaimsPrincipal caller, DataQualityScanner scanner) =>
        scanner.Start(caller.TenantId())
            ? TypedResults.Accepted("/api/data-quality")
            : TypedResults.Problem("A scan of your tenant is running already.", statusCode: StatusCodes.Status409Conflict);

    private static async Task<Results<Ok<DataQualityRules>, ValidationProblem>> SetRulesAsync(RulesRequest? request, ClaimsPrincipal caller, IGrainFactory grains)
    {
        var errors = new ValidationErrors();
        var required = errors.Items("required", request?.Required, 50, f => CustomerQuality.IsField(f.Trim())
            ? (f.Trim(), null)
            : (null, $"One of {string.Join(", ", CustomerQuality.UsualFields)}, or attributes.<name>."));
        if (request?.StaleAfterDays is < 1 or > 36_500)
        {
            errors.Add("staleAfterDays", "From 1 to 36500 days.");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var rules = new DataQualityRules
        {
            Required = request?.Required is null ? DataQualityRules.Default.Required : required,
            StaleAfter = TimeSpan.FromDays(request?.StaleAfterDays ?? DataQualityRules.Default.StaleAfter.TotalDays),
        };
        await grains.GetGrain<IDataQualityGrain>(caller.TenantId()).SetRulesAsync(rules);
        return TypedResults.Ok(rules);
    }

    private static async Task<Results<Ok<CustomerQualityResponse>, NotFound>> CustomerAsync(
        string id, ClaimsPrincipal caller, IGrainFactory grains, CustomerProfiles profiles, TimeProvider time)
    {
        if (!caller.TryGetCustomerKey(id, out var key) || await grains.GetGrain<ICustomerGrain>(key.ToString()).GetAsync() is not { } customer)
        {
            return TypedResults.NotFound();
        }

        var quality = CustomerQuality.Of(customer, await grains.GetGrain<IDataQualityGrain>(key.TenantId).GetRulesAsync(), await profiles.FieldsAsync(key.TenantId), time.GetUtcNow());
        return TypedResults.Ok(new CustomerQualityResponse(quality.Score, [.. quality.Problems.Select(p => new ProblemResponse(p.Rule, p.Field))]));
    }
}
