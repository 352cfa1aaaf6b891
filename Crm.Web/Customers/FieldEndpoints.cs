using System.Security.Claims;
using Crm.Customers;
using Crm.Web.Api;
using Crm.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Crm.Web.Customers;

/// <summary>A tenant's custom fields: admins define them, everyone reads them (the console's editor, import mapping).</summary>
public static class FieldEndpoints
{
    public const int MaxOptions = 100;

    public sealed record FieldRequest(string? Label, string? Type, List<string?>? Options);

    public sealed record FieldResponse(string Name, string Label, string Type, IReadOnlyList<string> Options)
    {
        public static FieldResponse From(FieldDefinition field) =>
            new(field.Name, field.Label, field.Type == FieldType.OneOf ? "oneOf" : field.Type.ToString().ToLowerInvariant(), field.Options);
    }

    public sealed record FieldList(IReadOnlyList<FieldResponse> Items);

    public static RouteGroupBuilder MapFieldsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/fields").WithTags("Custom fields");
        group.MapGet("/", ListAsync).RequireAuthorization(Policies.Agent);
        group.MapPut("/{name}", SaveAsync).RequireAuthorization(Policies.Admin);
        group.MapDelete("/{name}", DeleteAsync).RequireAuthorization(Policies.Admin);
        return group;
    }

    private static async Task<Ok<FieldList>> ListAsync(ClaimsPrincipal caller, IGrainFactory grains) =>
        TypedResults.Ok(new FieldList([.. (await Fields(grains, caller).ListAsync()).Select(FieldResponse.From)]));

    private static async Task<Results<Ok<FieldResponse>, ValidationProblem>> SaveAsync(string name, FieldRequest? request, ClaimsPrincipal caller, IGrainFactory grains)
    {
        var errors = new ValidationErrors();
        if (!AttributeNames.IsValid(name))
        {
            errors.Add("name", "1 to 64 letters, digits or _ . - starting with a letter: the attribute's name.");
        }

        var label = errors.Text("label", request?.Label, 100) ?? name;
        var type = errors.Enum<FieldType>("type", request?.Type);
        if (type is null && !errors.Any)
        {
            errors.Add("type", $"Required: one of {string.Join(", ", ValidationErrors.EnumNames<FieldType>())}.");
        }

        var options = errors.Items("options", request?.Options, MaxOptions, value => value.Trim() is { Length: > 0 and <= 100 } option ? (option, null) : (null, "1 to 100 characters."));
        if (type == FieldType.OneOf && options.IsEmpty && !errors.Any)
        {
            errors.Add("options", "Required for oneOf: the values the field may take.");
        }
        else if (type is not null and not FieldType.OneOf && !options.IsEmpty)
        {
            errors.Add("options", "Only a oneOf field has options.");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var field = new FieldDefinition(name, label, type!.Value, options);
        return await Fields(grains, caller).SaveAsync(field)
            ? TypedResults.Ok(FieldResponse.From(field))
            : ValidationErrors.Single("name", $"A tenant defines at most {IFieldDefinitionsGrain.MaxFields} fields.");
    }

    private static async Task<Results<NoContent, NotFound>> DeleteAsync(string name, ClaimsPrincipal caller, IGrainFactory grains) =>
        await Fields(grains, caller).DeleteAsync(name) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static IFieldDefinitionsGrain Fields(IGrainFactory grains, ClaimsPrincipal caller) => grains.GetGrain<IFieldDefinitionsGrain>(caller.TenantId());
}
