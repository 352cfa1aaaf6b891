using System.Security.Claims;
using Crm.Imports;
using Crm.Web.Api;
using Crm.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Crm.Web.Imports;

/// <summary>Saved mappings: files of the same shape import again by naming the template.</summary>
public static class ImportTemplateEndpoints
{
    public sealed record TemplateRequest(string? Name, string? Kind, string? MatchOn, Dictionary<string, string>? Mapping);

    public sealed record TemplateResponse(string Name, string Kind, string MatchOn, IReadOnlyDictionary<string, string> Mapping, DateTimeOffset SavedAt)
    {
        public static TemplateResponse From(ImportTemplate template) => new(template.Name, template.Kind.ToString().ToLowerInvariant(),
            template.MatchOn == ImportMatchKey.Email ? "email" : "externalId", template.Mapping, template.SavedAt);
    }

    public sealed record TemplateList(IReadOnlyList<TemplateResponse> Items);

    public static void MapImportTemplates(this RouteGroupBuilder imports)
    {
        imports.MapGet("/templates", ListAsync).RequireAuthorization(Policies.Supervisor);
        imports.MapPut("/templates/{name}", SaveAsync).RequireAuthorization(Policies.Supervisor);
        imports.MapDelete("/templates/{name}", DeleteAsync).RequireAuthorization(Policies.Supervisor);
    }

    private static async Task<Ok<TemplateList>> ListAsync(ClaimsPrincipal caller, IGrainFactory grains) =>
        TypedResults.Ok(new TemplateList([.. (await Templates(grains, caller).ListAsync()).Select(TemplateResponse.From)]));

    private static async Task<Results<Ok<TemplateResponse>, ValidationProblem>> SaveAsync(
        string name, TemplateRequest? request, ClaimsPrincipal caller, IGrainFactory grains, TimeProvider time)
    {
        var errors = new ValidationErrors();
        var checkedName = errors.Text("name", name, 100, required: true);
        var kind = errors.Enum<ImportKind>("kind", request?.Kind) ?? ImportKind.Customers;
        var matchOn = errors.Enum<ImportMatchKey>("matchOn", request?.MatchOn) ?? ImportMatchKey.ExternalId;
        var mapping = ImportEndpoints.Mapping(errors, request?.Mapping is null ? null : System.Text.Json.JsonSerializer.Serialize(request.Mapping), kind, matchOn);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var template = new ImportTemplate(checkedName!, kind, matchOn, mapping!, time.GetUtcNow());
        if (!await Templates(grains, caller).SaveAsync(template))
        {
            return ValidationErrors.Single("name", $"A tenant keeps at most {IImportTemplatesGrain.MaxTemplates} templates: delete one first.");
        }

        return TypedResults.Ok(TemplateResponse.From(template));
    }

    private static async Task<Results<NoContent, NotFound>> DeleteAsync(string name, ClaimsPrincipal caller, IGrainFactory grains) =>
        await Templates(grains, caller).DeleteAsync(name) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static IImportTemplatesGrain Templates(IGrainFactory grains, ClaimsPrincipal caller) => grains.GetGrain<IImportTemplatesGrain>(caller.TenantId());
}
