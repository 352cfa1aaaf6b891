using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Crm.Customers;
using Crm.Ingestion;
using Crm.Web.Api;
using Crm.Web.Segments;
using Crm.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Crm.Web.Customers;

public static class CustomerEndpoints
{
    public static RouteGroupBuilder MapCustomersApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/customers").WithTags("Customers").RequireAuthorization(Policies.Agent);
        group.MapPost("/", CreateCustomer);
        group.MapGet("/", ListCustomers);
        group.MapGet("/{id}", GetCustomer);
        group.MapPatch("/{id}", PatchCustomer).Accepts<JsonElement>("application/merge-patch+json", "application/json");
        group.MapDelete("/{id}", DeleteCustomer).RequireAuthorization(Policies.Supervisor);
        return group;
    }

    /// <summary>What the customer handlers need besides the request itself.</summary>
    public sealed record Services(IGrainFactory Grains, ICustomerDirectory Directory, CustomerProfiles Profiles, TimeProvider Time, HttpContext Http)
    {
        public ClaimsPrincipal User => Http.User;

        public ICustomerGrain Grain(CustomerKey key) => Grains.GetGrain<ICustomerGrain>(key.ToString());

        public void SetETag(Customer customer) => Http.Response.Headers.ETag = CustomerResponse.ETag(customer);
    }

    private static async Task<Results<Created<CustomerResponse>, ValidationProblem>> CreateCustomer(
        CustomerProfileRequest? request, [AsParameters] Services services, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            return ValidationErrors.Single("body", "A JSON object with the customer's profile is required.");
        }

        var tenant = services.User.TenantId();
        var actor = services.User.ToActor();
        var (profile, errors) = await services.Profiles.ValidateAsync(request, current: null, tenant, actor, cancellationToken);
        if (profile is null)
        {
            return errors.ToProblem();
        }

        var key = new CustomerKey(tenant, Guid.CreateVersion7().ToString("N"));
        var customer = await services.Grain(key).CreateAsync(profile, actor);
        services.SetETag(customer);
        return TypedResults.Created($"/api/customers/{customer.Id}", CustomerResponse.From(customer));
    }

    private static async Task<Results<Ok<CustomerListResponse>, ValidationProblem>> ListCustomers(
        [FromQuery] string? query, [FromQuery] string? rules, [FromQuery] string? sort, [FromQuery] string? cursor, [FromQuery] int? limit,
        [AsParameters] Services services, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var text = errors.Text("query", query, 200);
        var size = Paging.Limit(errors, limit, CustomerSearch.MaxLimit);
        var order = CustomerSort.Default;
        if (sort is not null && !CustomerSort.TryParse(sort, out order))
        {
            errors.Add("sort", $"One of {CustomerSort.Choices}, with '-' before it for descending.");
        }

        var after = CustomerListCursors.Read(errors, cursor, order);
        var rule = rules is null ? null : SegmentRuleInput.Read(errors, "rules", rules, await services.Profiles.FieldsAsync(services.User.TenantId()));
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var search = new CustomerSearch(services.User.TenantId(), text, after, size) { Rule = rule, Sort = order, Now = services.Time.GetUtcNow() };
        var page = await services.Directory.SearchAsync(search, cancellationToken);
        return TypedResults.Ok(new CustomerListResponse(
            page.Items.Select(CustomerListResponse.From).ToList(),
            page.Next is { } next ? Cursors.Encode(next) : null));
    }

    /// <summary>A customer merged into another answers 308 with the survivor's address: links to it keep working.</summary>
    private static async Task<Results<Ok<CustomerResponse>, NotFound, RedirectHttpResult>> GetCustomer(string id, [AsParameters] Services services)
    {
        if (!services.User.TryGetCustomerKey(id, out var key))
        {
            return TypedResults.NotFound();
        }

        var grain = services.Grain(key);
        if (await grain.GetAsync() is not { } customer)
        {
            return await grain.GetStandingAsync() is { Kind: CustomerStandingKind.Merged, MergedInto: { } survivor }
                ? TypedResults.Redirect($"/api/customers/{Uri.EscapeDataString(survivor)}", permanent: true, preserveMethod: true)
                : TypedResults.NotFound();
        }

        services.SetETag(customer);
        return TypedResults.Ok(CustomerResponse.From(customer));
    }

    /// <summary>
    /// JSON Merge Patch over the profile. With If-Match the edit applies only to that version (412 otherwise);
    /// without it, the patch is re-applied to the newest version when someone else got there first.
    /// </summary>
    private static async Task<Results<Ok<CustomerResponse>, NotFound, ValidationProblem, ProblemHttpResult>> PatchCustomer(
        string id, JsonElement? patch, [AsParameters] Services services, CancellationToken cancellationToken)
    {
        if (patch is not { ValueKind: JsonValueKind.Object } patchObject)
        {
            return ValidationErrors.Single("body", "A JSON object with the fields to change is required.");
        }

        // The patch is merged as JSON before it is read as a profile: text that cannot be taken in is named first.
        if (JsonInput.Check(patchObject) is { } unreadable)
        {
            return ValidationErrors.Single(unreadable.Field, unreadable.Message);
        }

        if (!IfMatch.TryParse(services.Http.Request, out var ifMatch))
        {
            return ValidationErrors.Single("If-Match", "Expected a version as the API returns it in the ETag header, e.g. \"3\".");
        }

        if (!services.User.TryGetCustomerKey(id, out var key))
        {
            return TypedResults.NotFound();
        }

        var grain = services.Grain(key);
        var actor = services.User.ToActor();
        for (var attempt = 1; ; attempt++)
        {
            if (await grain.GetAsync() is not { } current)
            {
                return TypedResults.NotFound();
            }

            if (ifMatch is { } expected && expected != current.Version)
            {
                throw new VersionConflictException(expected, current.Version);
            }

            var target = JsonSerializer.SerializeToNode(CustomerProfiles.ToRequest(current.Profile), CrmJson.Options);
            var patched = JsonMergePatch.Apply(target, JsonObject.Create(patchObject));
            var request = patched.Deserialize<CustomerProfileRequest>(CrmJson.Options)!;
            var (profile, errors) = await services.Profiles.ValidateAsync(request, current.Profile, key.TenantId, actor, cancellationToken);
            if (profile is null)
            {
                return errors.ToProblem();
            }

            try
            {
                var updated = await grain.UpdateProfileAsync(profile, current.Version, actor);
                services.SetETag(updated);
                return TypedResults.Ok(CustomerResponse.From(updated));
            }
            catch (VersionConflictException) when (ifMatch is null && attempt < 3)
            {
                // Someone else saved first; apply the same patch to what they saved.
            }
        }
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> DeleteCustomer(string id, [AsParameters] Services services)
    {
        if (!IfMatch.TryParse(services.Http.Request, out var ifMatch))
        {
            return ValidationErrors.Single("If-Match", "Expected a version as the API returns it in the ETag header, e.g. \"3\".");
        }

        if (!services.User.TryGetCustomerKey(id, out var key))
        {
            return TypedResults.NotFound();
        }

        await services.Grain(key).DeleteAsync(ifMatch, services.User.ToActor());
        return TypedResults.NoContent();
    }
}
