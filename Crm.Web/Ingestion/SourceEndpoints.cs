using System.Collections.Immutable;
using System.Security.Claims;
using Crm.Ingestion;
using Crm.Security;
using Crm.Web.Api;
using Crm.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Crm.Web.Ingestion;

/// <summary>Admins connect integrations: each source gets a write key and a webhook signing secret, shown once.</summary>
public static class SourceEndpoints
{
    public static RouteGroupBuilder MapSourcesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/sources").WithTags("Sources");
        group.MapPost("/", CreateSource).RequireAuthorization(Policies.Admin);
        group.MapGet("/", ListSources).RequireAuthorization(Policies.Supervisor);
        group.MapGet("/{id:guid}", GetSource).RequireAuthorization(Policies.Supervisor);
        group.MapDelete("/{id:guid}", RevokeSource).RequireAuthorization(Policies.Admin);
        group.MapGet("/{id:guid}/events", RecentEvents).RequireAuthorization(Policies.Supervisor);
        return group;
    }

    public sealed record CreateSourceRequest(string? Name);

    public sealed record SourceResponse(Guid Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, string WebhookUrl)
    {
        public static SourceResponse From(Source source) =>
            new(source.Id, source.Name, source.CreatedAt, source.RevokedAt, $"/api/webhooks/{source.Id}");
    }

    /// <summary>The only time the secrets are shown.</summary>
    public sealed record CreatedSourceResponse(Guid Id, string Name, DateTimeOffset CreatedAt, string WriteKey, string SigningSecret, string WebhookUrl);

    public sealed record SourceList(IReadOnlyList<SourceResponse> Items);

    public sealed record DebuggerResponse(ImmutableArray<DebuggerEntry> Items);

    private static async Task<Results<Created<CreatedSourceResponse>, ValidationProblem>> CreateSource(
        CreateSourceRequest? request, ClaimsPrincipal caller, ISourceStore sources, SourceSecrets secrets, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var name = errors.Text("name", request?.Name, 100, required: true);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var writeKey = SourceSecrets.NewWriteKey();
        var signingSecret = SourceSecrets.NewSigningSecret();
        var source = new Source
        {
            Id = Guid.CreateVersion7(),
            TenantId = caller.TenantId(),
            Name = name!,
            WriteKeyHash = SourceSecrets.HashWriteKey(writeKey),
            SigningSecret = secrets.Protect(signingSecret),
            CreatedAt = time.GetUtcNow(),
        };
        await sources.CreateAsync(source, cancellationToken);
        return TypedResults.Created($"/api/sources/{source.Id}",
            new CreatedSourceResponse(source.Id, source.Name, source.CreatedAt, writeKey, signingSecret, $"/api/webhooks/{source.Id}"));
    }

    private static async Task<Ok<SourceList>> ListSources(ClaimsPrincipal caller, ISourceStore sources, CancellationToken cancellationToken) =>
        TypedResults.Ok(new SourceList((await sources.ListAsync(caller.TenantId(), cancellationToken)).Select(SourceResponse.From).ToList()));

    private static async Task<Results<Ok<SourceResponse>, NotFound>> GetSource(Guid id, ClaimsPrincipal caller, ISourceStore sources, CancellationToken cancellationToken) =>
        await sources.FindAsync(caller.TenantId(), id, cancellationToken) is { } source ? TypedResults.Ok(SourceResponse.From(source)) : TypedResults.NotFound();

    private static async Task<Results<NoContent, NotFound>> RevokeSource(
        Guid id, ClaimsPrincipal caller, ISourceStore sources, Revocations revocations, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!await sources.RevokeAsync(caller.TenantId(), id, time.GetUtcNow(), cancellationToken))
        {
            return TypedResults.NotFound();
        }

        await revocations.RevokeAsync(new Revocation(RevocationKind.Source, caller.TenantId(), id));
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<DebuggerResponse>, NotFound>> RecentEvents(
        Guid id, ClaimsPrincipal caller, ISourceStore sources, SourceOutcomes outcomes, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (await sources.FindAsync(caller.TenantId(), id, cancellationToken) is not { } source)
        {
            return TypedResults.NotFound();
        }

        var entries = await grains.GetGrain<ISourceDebuggerGrain>(SourceOutcomes.DebuggerKey(source)).GetRecentAsync();
        outcomes.Watching(source);
        return TypedResults.Ok(new DebuggerResponse(entries));
    }
}
