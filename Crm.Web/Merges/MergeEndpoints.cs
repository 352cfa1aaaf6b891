using System.Collections.Immutable;
using Crm.Customers;
using Crm.Merges;
using Crm.Web.Api;
using Crm.Web.Customers;
using Crm.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Crm.Web.Merges;

/// <summary>
/// Merging customers (supervisors and admins): a preview of the survivor a merge would make, the merge, its audit
/// trail, and undo.
/// </summary>
public static class MergeEndpoints
{
    /// <param name="Id">The client's own id for the merge, so that a retry gets the merge it started instead of a second one.</param>
    public sealed record MergeBody(string? SurvivorId, List<string?>? MergedIds, Dictionary<string, string?>? Fields, Guid? Id = null);

    public sealed record PreviewResponse(CustomerResponse Survivor, IReadOnlyList<CustomerResponse> Customers, long Interactions);

    public sealed record Services(IGrainFactory Grains, IMergeLog Log, HttpContext Http)
    {
        public string TenantId => Http.User.TenantId();

        public IMergeGrain Merge(Guid id) => Grains.GetGrain<IMergeGrain>(MergeKey.Of(TenantId, id));

        public ICustomerGrain Customer(string id) => Grains.GetGrain<ICustomerGrain>(new CustomerKey(TenantId, id).ToString());
    }

    /// <summary>Every field a customer has, attributes included, with room to spare.</summary>
    private const int MaxFields = 200;

    public static RouteGroupBuilder MapMergesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/merges").WithTags("Merges").RequireAuthorization(Policies.Supervisor);
        group.MapPost("/preview", PreviewAsync);
        group.MapPost("/", MergeAsync);
        group.MapGet("/", ListAsync);
        group.MapGet("/{id:guid}", GetAsync);
        group.MapPost("/{id:guid}/undo", UndoAsync);
        return group;
    }

    /// <summary>The survivor as the merge would make it, beside every customer as it is: nothing changes.</summary>
    private static async Task<Results<Ok<PreviewResponse>, ValidationProblem>> PreviewAsync(MergeBody? body, [AsParameters] Services services)
    {
        var (request, problem) = Read(body);
        if (problem is not null)
        {
            return problem;
        }

        request!.Validate();
        var customers = new List<Customer>();
        foreach (var id in request.MergedIds.Prepend(request.SurvivorId))
        {
            customers.Add(await services.Customer(id).GetAsync() ?? throw new CustomerNotFoundException(id));
        }

        var profile = MergedProfiles.Compose(customers, request.Fields);
        return TypedResults.Ok(new PreviewResponse(
            CustomerResponse.From(customers[0] with { Profile = profile }),
            [.. customers.Select(CustomerResponse.From)],
            customers.Sum(c => c.Activity.TotalInteractions)));
    }

    private static async Task<Results<Created<MergeResponse>, ValidationProblem>> MergeAsync(MergeBody? body, [AsParameters] Services services)
    {
        var (request, problem) = Read(body);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.Id == Guid.Empty)
        {
            return ValidationErrors.Single("id", "A merge id other than all zeros, or none.");
        }

        var record = await services.Merge(body.Id ?? Guid.CreateVersion7()).MergeAsync(request!, services.Http.User.ToActor());
        return TypedResults.Created($"/api/merges/{record.Id}", MergeResponse.From(record));
    }

    private static async Task<Results<Ok<MergeList>, ValidationProblem>> ListAsync(
        [FromQuery] string? customerId, [FromQuery] string? cursor, [FromQuery] int? limit, [AsParameters] Services services, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var size = Paging.Limit(errors, limit, 100);
        var after = Paging.Cursor<MergeCursor?>(errors, cursor);
        if (customerId is not null && !CustomerKey.IsValidCustomerId(customerId))
        {
            errors.Add("customerId", "Not a customer id.");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var records = await services.Log.ListAsync(services.TenantId, customerId, after, size + 1, cancellationToken);
        var page = records.Take(size).ToList();
        return TypedResults.Ok(new MergeList(
            [.. page.Select(MergeResponse.From)],
            records.Count > size ? Cursors.Encode(new MergeCursor(page[^1].MergedAt, page[^1].Id)) : null));
    }

    private static async Task<Results<Ok<MergeResponse>, NotFound>> GetAsync(Guid id, [AsParameters] Services services) =>
        await services.Merge(id).GetAsync() is { } record ? TypedResults.Ok(MergeResponse.From(record)) : TypedResults.NotFound();

    private static async Task<Results<Ok<MergeResponse>, NotFound>> UndoAsync(Guid id, [AsParameters] Services services)
    {
        var merge = services.Merge(id);
        if (await merge.GetAsync() is null)
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(MergeResponse.From(await merge.UndoAsync(services.Http.User.ToActor())));
    }

    private static (MergeRequest? Request, ValidationProblem? Problem) Read(MergeBody? body)
    {
        if (body is null)
        {
            return (null, ValidationErrors.Single("body", """A JSON object: {"survivorId", "mergedIds": [...], "fields": {"<field>": "<customerId>"}}."""));
        }

        var errors = new ValidationErrors();
        if (!CustomerKey.IsValidCustomerId(body.SurvivorId))
        {
            errors.Add("survivorId", "The id of the customer that stays.");
        }

        if (body.MergedIds is not { Count: > 0 and <= MergeRequest.MaxMerged } ids)
        {
            errors.Add("mergedIds", $"The ids of 1 to {MergeRequest.MaxMerged} customers to merge into the survivor.");
        }
        else if (ids.Any(id => !CustomerKey.IsValidCustomerId(id)))
        {
            errors.Add("mergedIds", "Every item must be a customer id.");
        }

        if (body.Fields is { Count: > MaxFields })
        {
            errors.Add("fields", $"At most {MaxFields} choices.");
            return (null, errors.ToProblem());
        }

        var fields = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (field, customerId) in body.Fields ?? [])
        {
            if (!CustomerKey.IsValidCustomerId(customerId))
            {
                errors.Add($"fields.{field}", "The id of the customer whose value wins.");
            }
            else
            {
                fields[field] = customerId;
            }
        }

        return errors.Any
            ? (null, errors.ToProblem())
            : (new MergeRequest(body.SurvivorId!, [.. body.MergedIds!.Select(id => id!)], fields.ToImmutable()), null);
    }
}
