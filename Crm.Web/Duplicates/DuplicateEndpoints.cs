using System.Collections.Immutable;
using Crm.Customers;
using Crm.Duplicates;
using Crm.Web.Api;
using Crm.Web.Customers;
using Crm.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Crm.Web.Duplicates;

/// <summary>
/// The duplicates queue: candidate pairs, best first, with both customers as they are now. Everyone reads it;
/// supervisors dismiss pairs and rescan; admins set the matching rules.
/// </summary>
public static class DuplicateEndpoints
{
    public const double DefaultMinScore = 0.5;
    public const int MaxLimit = 100;

    public sealed record ReasonResponse(string Field, double Similarity, string Text);

    public sealed record PairResponse(
        IReadOnlyList<string> CustomerIds, double Score, IReadOnlyList<ReasonResponse> Reasons, bool ExactIdentity, IReadOnlyList<CustomerResponse> Customers);

    public sealed record PairPage(IReadOnlyList<PairResponse> Items, string? NextCursor, ScanResponse Scan);

    public sealed record ScanResponse(string Status, long Checked, long Total, long PendingChanges, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt)
    {
        public static ScanResponse From(DuplicateScan scan) => new(
            scan.Status switch { DuplicateScanStatus.Running => "running", DuplicateScanStatus.Completed => "completed", _ => "neverRun" },
            scan.Checked, scan.Total, scan.PendingChanges, scan.StartedAt, scan.FinishedAt);
    }

    public sealed record DismissRequest(List<string?>? CustomerIds);

    public sealed record Services(IGrainFactory Grains, IDuplicateStore Store, TimeProvider Time, HttpContext Http)
    {
        public string TenantId => Http.User.TenantId();

        public IDuplicatesGrain Duplicates => Grains.GetGrain<IDuplicatesGrain>(TenantId);
    }

    public static RouteGroupBuilder MapDuplicatesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/duplicates").WithTags("Duplicates").RequireAuthorization(Policies.Agent);
        group.MapGet("/", ListAsync);
        group.MapPost("/dismiss", DismissAsync).RequireAuthorization(Policies.Supervisor);
        group.MapGet("/scan", async ([AsParameters] Services services) => TypedResults.Ok(ScanResponse.From(await services.Duplicates.GetScanAsync())));
        group.MapPost("/scan", async ([AsParameters] Services services) =>
            TypedResults.Accepted("/api/duplicates/scan", ScanResponse.From(await services.Duplicates.RescanAsync()))).RequireAuthorization(Policies.Supervisor);
        group.MapGet("/settings", async ([AsParameters] Services services) =>
            TypedResults.Ok(DuplicateSettingsJson.Of(await services.Duplicates.GetSettingsAsync()))).RequireAuthorization(Policies.Supervisor);
        group.MapPut("/settings", SaveSettingsAsync).RequireAuthorization(Policies.Admin);
        return group;
    }

    private static async Task<Results<Ok<PairPage>, ValidationProblem>> ListAsync(
        [FromQuery] string? minScore, [FromQuery] string? cursor, [FromQuery] int? limit, [AsParameters] Services services, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var floor = DefaultMinScore;
        if (minScore is not null && !(double.TryParse(minScore, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out floor) && floor is >= 0 and <= 1))
        {
            errors.Add("minScore", "A number from 0 to 1, e.g. 0.7.");
        }

        var size = Paging.Limit(errors, limit, MaxLimit);
        var after = Paging.Cursor<DuplicateCursor?>(errors, cursor);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var scan = await services.Duplicates.GetScanAsync();
        var pairs = await services.Store.ListAsync(services.TenantId, floor, after, size + 1, cancellationToken);
        var page = pairs.Take(size).ToList();
        var ids = page.SelectMany(p => new[] { p.FirstId, p.SecondId }).Distinct().ToList();
        var read = await Task.WhenAll(ids.Select(id => services.Grains.GetGrain<ICustomerGrain>(new CustomerKey(services.TenantId, id).ToString()).GetAsync()));
        var customers = ids.Zip(read).ToDictionary(p => p.First, p => p.Second is null ? null : CustomerResponse.From(p.Second), StringComparer.Ordinal);

        // A pair whose customer went a moment ago (merged, deleted) is not offered.
        var items = page
            .Where(p => customers[p.FirstId] is not null && customers[p.SecondId] is not null)
            .Select(p => new PairResponse(
                [p.FirstId, p.SecondId], p.Score, [.. p.Reasons.Select(r => new ReasonResponse(r.Field, r.Similarity, r.Text))], p.ExactIdentity,
                [customers[p.FirstId]!, customers[p.SecondId]!]))
            .ToList();
        var next = pairs.Count > size ? Cursors.Encode(new DuplicateCursor(page[^1].Score, page[^1].FirstId, page[^1].SecondId)) : null;
        return TypedResults.Ok(new PairPage(items, next, ScanResponse.From(scan)));
    }

    /// <summary>"Not the same person": the pair is not offered again.</summary>
    private static async Task<Results<NoContent, NotFound, ValidationProblem>> DismissAsync(DismissRequest? request, [AsParameters] Services services, CancellationToken cancellationToken)
    {
        if (request?.CustomerIds is not [{ } one, { } other] || !CustomerKey.IsValidCustomerId(one) || !CustomerKey.IsValidCustomerId(other) || one == other)
        {
            return ValidationErrors.Single("customerIds", "The two customer ids of a pair, as the duplicates list gives them.");
        }

        var (first, second) = string.CompareOrdinal(one, other) < 0 ? (one, other) : (other, one);
        return await services.Store.DismissAsync(services.TenantId, first, second, services.Http.User.ToActor().Id, services.Time.GetUtcNow(), cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.NotFound();
    }

    private static async Task<Results<Ok<DuplicateSettingsJson>, ValidationProblem>> SaveSettingsAsync(DuplicateSettingsJson? request, [AsParameters] Services services)
    {
        var errors = new ValidationErrors();
        var settings = DuplicateSettingsJson.Read(errors, request);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        await services.Duplicates.SaveSettingsAsync(settings!);
        return TypedResults.Ok(DuplicateSettingsJson.Of(settings!));
    }
}
