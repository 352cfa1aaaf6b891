using System.Security.Claims;
using Crm.Imports;
using Crm.Web.Api;
using Crm.Web.Ingestion;
using Crm.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Crm.Web.Imports;

/// <summary>Admins register the databases imports may read (read-only); the connection string is stored encrypted and never shown again.</summary>
public static class ImportDatabaseEndpoints
{
    public sealed record DatabaseRequest(string? Name, string? ConnectionString);

    public sealed record DatabaseResponse(Guid Id, string Name, string Host, string Database, DateTimeOffset CreatedAt)
    {
        public static DatabaseResponse From(ImportDatabase database) => new(database.Id, database.Name, database.Host, database.Database, database.CreatedAt);
    }

    public sealed record DatabaseList(IReadOnlyList<DatabaseResponse> Items);

    public static void MapImportDatabases(this RouteGroupBuilder imports)
    {
        imports.MapPost("/databases", AddAsync).RequireAuthorization(Policies.Admin);
        imports.MapGet("/databases", ListAsync).RequireAuthorization(Policies.Supervisor);
        imports.MapDelete("/databases/{id:guid}", RemoveAsync).RequireAuthorization(Policies.Admin);
    }

    /// <summary>The tenant's database of that id, with its connection string, for an import about to read it.</summary>
    public static async Task<(ImportDatabase Database, string ConnectionString)?> FindAsync(IGrainFactory grains, SourceSecrets secrets, string tenantId, Guid id) =>
        (await Databases(grains, tenantId).ListAsync()).FirstOrDefault(d => d.Id == id) is { } database
            ? (database, secrets.Unprotect([.. database.SealedConnectionString]))
            : null;

    private static async Task<Results<Created<DatabaseResponse>, ValidationProblem>> AddAsync(
        DatabaseRequest? request, ClaimsPrincipal caller, IGrainFactory grains, SourceSecrets secrets, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var name = errors.Text("name", request?.Name, 100, required: true);
        var connectionString = errors.Text("connectionString", request?.ConnectionString, 2000, required: true);
        NpgsqlConnectionStringBuilder? parsed = null;
        if (connectionString is not null)
        {
            try
            {
                parsed = new NpgsqlConnectionStringBuilder(connectionString);
            }
            catch (ArgumentException ex)
            {
                errors.Add("connectionString", $"Not a PostgreSQL connection string: {ex.Message}");
            }
        }

        if (parsed is not null && !errors.Any && await DatabaseRows.CheckAsync(connectionString!, "SELECT 1", cancellationToken) is { Problem: { } problem })
        {
            errors.Add("connectionString", problem);
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var database = new ImportDatabase(Guid.CreateVersion7(), name!, parsed!.Host ?? "", parsed.Database ?? "", [.. secrets.Protect(connectionString!)], time.GetUtcNow());
        if (!await Databases(grains, caller.TenantId()).AddAsync(database))
        {
            return ValidationErrors.Single("name", $"A tenant registers at most {IImportDatabasesGrain.MaxDatabases} databases: remove one first.");
        }

        return TypedResults.Created($"/api/imports/databases/{database.Id}", DatabaseResponse.From(database));
    }

    private static async Task<Ok<DatabaseList>> ListAsync(ClaimsPrincipal caller, IGrainFactory grains) =>
        TypedResults.Ok(new DatabaseList([.. (await Databases(grains, caller.TenantId()).ListAsync()).Select(DatabaseResponse.From)]));

    private static async Task<Results<NoContent, NotFound>> RemoveAsync(Guid id, ClaimsPrincipal caller, IGrainFactory grains) =>
        await Databases(grains, caller.TenantId()).RemoveAsync(id) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static IImportDatabasesGrain Databases(IGrainFactory grains, string tenantId) => grains.GetGrain<IImportDatabasesGrain>(tenantId);
}
