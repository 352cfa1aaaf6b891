using System.Collections.Immutable;
using System.Security.Claims;
using System.Text.Json;
using Crm.Imports;
using Crm.Web.Api;
using Crm.Web.Ingestion;
using Crm.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Crm.Web.Imports;

/// <summary>
/// Imports of customers from CSV or JSON Lines files: uploaded as multipart/form-data (file, kind, mapping, matchOn,
/// dryRun), streamed into storage as they arrive, then run in the background with live progress.
/// </summary>
public static class ImportEndpoints
{
    public static RouteGroupBuilder MapImportsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/imports").WithTags("Imports");
        group.MapPost("/", StartImport).RequireAuthorization(Policies.Supervisor).DisableAntiforgery()
            .WithMetadata(new BodySizeLimit(ImportOptions.MaxFileBytes));
        group.MapGet("/{id:guid}", GetImport).RequireAuthorization(Policies.Agent);
        group.MapPost("/{id:guid}/cancel", CancelImport).RequireAuthorization(Policies.Supervisor);
        group.MapGet("/{id:guid}/rejected", RejectedRows).RequireAuthorization(Policies.Supervisor);
        group.MapPost("/preview", ImportPreview.PreviewAsync).RequireAuthorization(Policies.Supervisor).DisableAntiforgery()
            .WithMetadata(new BodySizeLimit(ImportOptions.MaxFileBytes));
        group.MapImportTemplates();
        group.MapImportDatabases();
        return group;
    }

    public sealed record StartedImport(Guid Id);

    private static async Task<Results<Accepted<StartedImport>, ValidationProblem>> StartImport(
        HttpRequest request, ClaimsPrincipal caller, IGrainFactory grains, IImportFileStore files, ImportRunner runner, SourceSecrets secrets, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7();
        var tenantId = caller.TenantId();
        ImportUpload? upload;
        string? problem;
        try
        {
            (upload, problem) = await ImportUpload.ReadAsync(request, body => files.SaveAsync(new ImportBlob(tenantId, id, ImportBlob.Source), body, cancellationToken), cancellationToken);
        }
        catch
        {
            // The client went away mid-upload, or the store failed: what was stored of the file goes with it.
            await files.DeleteAsync(tenantId, id, cancellationToken: CancellationToken.None);
            throw;
        }

        var errors = new ValidationErrors();
        if (upload is null)
        {
            errors.Add("body", problem!);
        }
        else if (upload.FileName is null && !upload.Fields.ContainsKey("database"))
        {
            errors.Add("file", "Required: the CSV or JSON Lines file to import (or a registered database and a query).");
        }

        var database = upload?.FileName is null && upload?.Fields.GetValueOrDefault("database") is { } databaseId
            ? await Database(errors, grains, secrets, tenantId, databaseId, upload.Fields.GetValueOrDefault("query"), cancellationToken)
            : null;

        var template = upload?.Fields.GetValueOrDefault("template") is { } name
            ? await Template(errors, grains.GetGrain<IImportTemplatesGrain>(tenantId), name)
            : null;
        var spec = upload is null || errors.Any ? null : Spec(errors, upload, template, time.GetUtcNow(), caller.ToActor());
        if (spec is not null && database is { } source)
        {
            spec = spec with { DatabaseId = source.Database.Id, Query = source.Query, QueryRows = source.Rows, FileName = source.Database.Name, FileBytes = 0 };
        }
        if (spec is null)
        {
            await files.DeleteAsync(tenantId, id, cancellationToken: CancellationToken.None);
            return errors.ToProblem();
        }

        await grains.GetGrain<IImportJobGrain>(ImportJob.Key(tenantId, id)).StartAsync(spec);
        runner.Started();
        return TypedResults.Accepted($"/api/imports/{id}", new StartedImport(id));
    }

    /// <summary>The registered database and the query to import from it, checked by running it (read-only) once.</summary>
    private static async Task<(ImportDatabase Database, string Query, long Rows)?> Database(
        ValidationErrors errors, IGrainFactory grains, SourceSecrets secrets, string tenantId, string id, string? query, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var databaseId) || await ImportDatabaseEndpoints.FindAsync(grains, secrets, tenantId, databaseId) is not { } found)
        {
            errors.Add("database", "No database of your tenant is registered with this id.");
            return null;
        }

        if (errors.Text("query", query, 20_000, required: true) is not { } text)
        {
            return null;
        }

        var (rows, problem) = await DatabaseRows.CheckAsync(found.ConnectionString, text, cancellationToken);
        if (problem is not null)
        {
            errors.Add("query", problem);
            return null;
        }

        return (found.Database, text, rows);
    }

    private static async Task<ImportTemplate?> Template(ValidationErrors errors, IImportTemplatesGrain templates, string name)
    {
        var template = (await templates.ListAsync()).FirstOrDefault(t => t.Name == name.Trim());
        if (template is null)
        {
            errors.Add("template", $"No template is named '{name}'.");
        }

        return template;
    }

    /// <summary>What the form asks for; where it is silent, what the template says.</summary>
    private static ImportSpec? Spec(ValidationErrors errors, ImportUpload upload, ImportTemplate? template, DateTimeOffset now, Crm.Security.Actor actor)
    {
        var fields = upload.Fields;
        var kind = fields.GetValueOrDefault("kind") is { } kindName ? errors.Enum<ImportKind>("kind", kindName) : template?.Kind ?? ImportKind.Customers;
        var matchOn = fields.GetValueOrDefault("matchOn") is { } keyName ? errors.Enum<ImportMatchKey>("matchOn", keyName) : template?.MatchOn ?? ImportMatchKey.ExternalId;
        var dryRun = false;
        if (fields.GetValueOrDefault("dryRun") is { } dry && !bool.TryParse(dry.Trim(), out dryRun))
        {
            errors.Add("dryRun", "true or false.");
        }

        var format = Format(errors, upload);
        string? culture = null;
        if (fields.GetValueOrDefault("culture") is { } cultureName)
        {
            try
            {
                culture = System.Globalization.CultureInfo.GetCultureInfo(cultureName.Trim(), predefinedOnly: true).Name;
            }
            catch (System.Globalization.CultureNotFoundException)
            {
                errors.Add("culture", $"'{cultureName}' is not a culture: a name such as en-GB, de-DE or fr-FR.");
            }
        }

        var mapping = kind is { } k && matchOn is { } m
            ? fields.ContainsKey("mapping") || template is null ? Mapping(errors, fields.GetValueOrDefault("mapping"), k, m) : template.Mapping
            : null;
        if (matchOn is { } key && mapping is not null && !mapping.ContainsValue(ImportFields.Of(key)))
        {
            errors.Add("mapping", $"Map a column to {ImportFields.Of(key)}: the import matches customers on it (matchOn).");
        }

        return errors.Any ? null : new ImportSpec
        {
            Kind = kind!.Value,
            Mapping = mapping!,
            MatchOn = matchOn!.Value,
            DryRun = dryRun,
            FileName = upload.FileName ?? "",
            Format = format,
            FileBytes = upload.FileBytes,
            StartedBy = actor,
            CreatedAt = now,
            Culture = culture is { Length: > 0 } ? culture : null,
        };
    }

    /// <summary>The format the form names, else the one the file's name says.</summary>
    public static ImportFormat Format(ValidationErrors errors, ImportUpload upload)
    {
        if (upload.Fields.GetValueOrDefault("format") is not { } name)
        {
            return ImportRows.FormatOf(upload.FileName);
        }

        switch (name.Trim().ToLowerInvariant())
        {
            case "csv":
                return ImportFormat.Csv;
            case "jsonl" or "jsonlines" or "ndjson":
                return ImportFormat.JsonLines;
            default:
                errors.Add("format", "csv or jsonl.");
                return ImportFormat.Csv;
        }
    }

    public static ImmutableDictionary<string, string>? Mapping(ValidationErrors errors, string? text, ImportKind kind, ImportMatchKey matchOn)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add("mapping", "Required: a JSON object from column name to field, e.g. {\"Email\": \"emails\", \"Name\": \"displayName\"}.");
            return null;
        }

        Dictionary<string, string>? read;
        try
        {
            read = JsonSerializer.Deserialize<Dictionary<string, string>>(text);
        }
        catch (JsonException)
        {
            errors.Add("mapping", "A JSON object from column name to field name (both strings).");
            return null;
        }

        var mapping = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (column, field) in read ?? [])
        {
            if (errors.Text($"mapping.{column}", column, 200) is null || errors.Text($"mapping.{column}", field, 100) is null)
            {
                continue;
            }

            if (!ImportFields.IsField(kind, matchOn, field))
            {
                errors.Add($"mapping.{column}", $"'{field}' is not a field of a {kind.ToString().ToLowerInvariant()} import: {ImportFields.Described(kind, matchOn)}.");
            }
            else if (mapping.ContainsValue(field))
            {
                errors.Add($"mapping.{column}", $"Another column is mapped to {field} already.");
            }
            else
            {
                mapping[column] = field;
            }
        }

        if (mapping.Count == 0 && !errors.Any)
        {
            errors.Add("mapping", "Map at least one column.");
        }

        return mapping.ToImmutable();
    }

    private static async Task<Results<Ok<ImportResponse>, NotFound>> GetImport(Guid id, ClaimsPrincipal caller, IGrainFactory grains, TimeProvider time) =>
        await Job(grains, caller, id).GetAsync() is { } job ? TypedResults.Ok(ImportResponse.From(job, time.GetUtcNow())) : TypedResults.NotFound();

    private static async Task<Results<Ok<ImportResponse>, NotFound, ProblemHttpResult>> CancelImport(Guid id, ClaimsPrincipal caller, IGrainFactory grains, TimeProvider time)
    {
        var grain = Job(grains, caller, id);
        if (await grain.GetAsync() is not { } job)
        {
            return TypedResults.NotFound();
        }

        if (job.IsFinished)
        {
            return TypedResults.Problem($"The import is {job.Status.ToString().ToLowerInvariant()} already.", statusCode: StatusCodes.Status409Conflict);
        }

        return TypedResults.Ok(ImportResponse.From((await grain.CancelAsync(caller.ToActor()))!, time.GetUtcNow()));
    }

    private static async Task<Results<PushStreamHttpResult, NotFound>> RejectedRows(Guid id, ClaimsPrincipal caller, IGrainFactory grains, IImportFileStore files)
    {
        var job = Job(grains, caller, id);
        if (await job.GetAsync() is null)
        {
            return TypedResults.NotFound();
        }

        var recovered = await job.GetRecoveredRowsAsync();
        return TypedResults.Stream(async body =>
        {
            await body.WriteAsync(RejectedRowsFile.Header);
            await using (var rejected = files.OpenRead(new ImportBlob(caller.TenantId(), id, ImportBlob.Rejected)))
            {
                await rejected.CopyToAsync(body);
            }

            await using var refused = files.OpenRead(new ImportBlob(caller.TenantId(), id, ImportBlob.Refused));
            await foreach (var rows in RefusedRows.ReadAsync(refused).Where(r => !recovered.Contains(r.Number)).Chunk(500))
            {
                await body.WriteAsync(RejectedRowsFile.Lines(rows.Select(r => new RejectedCell(r.Number, "", "", r.Reason))));
            }
        }, "text/csv; charset=utf-8", $"import-{id}-rejected.csv");
    }

    /// <summary>Another tenant's import is indistinguishable from one that does not exist: the key holds the caller's tenant.</summary>
    private static IImportJobGrain Job(IGrainFactory grains, ClaimsPrincipal caller, Guid id) => grains.GetGrain<IImportJobGrain>(ImportJob.Key(caller.TenantId(), id));
}
