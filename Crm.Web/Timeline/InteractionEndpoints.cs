using Crm.Timeline;
using Crm.Web.Api;
using Crm.Web.Customers;
using Crm.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Crm.Web.Timeline;

public static class InteractionEndpoints
{
    public static RouteGroupBuilder MapTimelineApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/customers/{id}").WithTags("Timeline").RequireAuthorization(Policies.Agent);
        group.MapPost("/interactions", AddInteraction);
        group.MapGet("/interactions/{interactionId:guid}", GetInteraction);
        group.MapGet("/timeline", GetTimeline);
        return group;
    }

    /// <returns>201 with the new interaction; 200 with the stored one when its external id was recorded before.</returns>
    private static async Task<Results<Created<InteractionResponse>, Ok<InteractionResponse>, NotFound, ValidationProblem>> AddInteraction(
        string id, InteractionRequest? request, [AsParameters] CustomerEndpoints.Services services, Interactions interactions)
    {
        if (request is null)
        {
            return ValidationErrors.Single("body", "A JSON object with the interaction is required.");
        }

        if (!services.User.TryGetCustomerKey(id, out var key))
        {
            return TypedResults.NotFound();
        }

        var (interaction, errors) = interactions.Validate(request, services.User.ToActor());
        if (interaction is null)
        {
            return errors.ToProblem();
        }

        var appended = await services.Grain(key).AddInteractionAsync(interaction);
        var response = InteractionResponse.From(appended.Interaction);
        return appended.Created
            ? TypedResults.Created($"/api/customers/{id}/interactions/{response.Id}", response)
            : TypedResults.Ok(response);
    }

    private static async Task<Results<Ok<InteractionResponse>, NotFound>> GetInteraction(
        string id, Guid interactionId, [AsParameters] CustomerEndpoints.Services services)
    {
        if (!services.User.TryGetCustomerKey(id, out var key) || await services.Grain(key).GetInteractionAsync(interactionId) is not { } interaction)
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(InteractionResponse.From(interaction));
    }

    /// <summary>Newest first by when each interaction happened; pass nextCursor back for older ones.</summary>
    private static async Task<Results<Ok<TimelineResponse>, NotFound, ValidationProblem>> GetTimeline(
        string id, [FromQuery] string? cursor, [FromQuery] int? limit, [FromQuery] string? channel, [AsParameters] CustomerEndpoints.Services services)
    {
        var errors = new ValidationErrors();
        var query = new TimelineQuery
        {
            After = Paging.Cursor<TimelineCursor?>(errors, cursor),
            Limit = Paging.Limit(errors, limit, TimelineQuery.MaxLimit),
            Channel = errors.Enum<InteractionChannel>("channel", channel),
        };
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        if (!services.User.TryGetCustomerKey(id, out var key))
        {
            return TypedResults.NotFound();
        }

        var page = await services.Grain(key).GetTimelineAsync(query);
        return TypedResults.Ok(new TimelineResponse(
            page.Items.Select(InteractionResponse.From).ToList(),
            page.Next is { } next ? Cursors.Encode(next) : null));
    }
}
