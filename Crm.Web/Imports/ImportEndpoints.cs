using System.Collections.Immutable;
using System.Security.Claims;
using System.Text.Json;
using Crm.Imports;
using Crm.Web.Api;
using Crm.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

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
        return group;
    }

    public sealed record StartedImport(Guid Id);

    private static async Task<Results<Accepted<StartedImport>, ValidationProblem>> StartImport(
        HttpRequest request, ClaimsPrincipal caller, IGrainFactory grains, IImportFileStore files, ImportRunner runner, TimeProvider time, CancellationToken cancellationToken)
    {
        var boundary = MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            ? HeaderUtilities.RemoveQuotes(type.Boundary).Value
            : null;
        if (string.IsNullOrEmpty(boundary))
        {
            return ValidationErrors.Single("body", "Send multipart/form-data with the fields file, kind, mapping, matchOn and dryRun.");
        }

        var id = Guid.CreateVersion7();
        var tenantId = caller.TenantId();
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        (string Name, long Bytes)? file = null;
        var errors = new ValidationErrors();
        try
        {
            var reader = new MultipartReader(boundary, request.Body);
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || disposition.Name.Value is not { } name)
                {
                    continue;
                }

                if (name.Equals("file", StringComparison.OrdinalIgnoreCase) && file is null)
                {
                    var fileName = Path.GetFileName(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "upload");
                    file = (fileName, await files.SaveAsync(new ImportBlob(tenantId, id, ImportBlob.Source), section.Body, cancellationToken));
                }
                else if (fields.Count < 10 && !fields.ContainsKey(name))
                {
                    using var text = new StreamReader(section.Body);
                    fields[name] = await text.ReadToEndAsync(cancellationToken);
                }
            }
        }
        catch (IOException ex)
        {
            await files.DeleteAsync(tenantId, id, CancellationToken.None);
            return ValidationErrors.Single("body", $"The multipart body does not read: {ex.Message}");
        }
        catch (InvalidDataException ex)
        {
            await files.DeleteAsync(tenantId, id, CancellationToken.None);
            return ValidationErrors.Single("body", $"The multipart body does not read: {ex.Message}");
        }

        var spec = Spec(errors, fields, file, time.GetUtcNow(), caller.ToActor());
        if (file is null)
        {
            errors.Add("file", "Required: the CSV or JSON Lines file to import.");
        }

        if (errors.Any)
        {
            await files.DeleteAsync(tenantId, id, CancellationToken.None);
            return errors.ToProblem();
        }

        await grains.GetGrain<IImportJobGrain>($"{tenantId}/{id}").StartAsync(spec!);
        runner.Started();
        return TypedResults.Accepted($"/api/imports/{id}", new StartedImport(id));
    }

    private static ImportSpec? Spec(ValidationErrors errors, Dictionary<string, string> fields, (string Name, long Bytes)? file, DateTimeOffset now, Crm.Security.Actor actor)
    {
        var kind = errors.Enum<ImportKind>("kind", fields.GetValueOrDefault("kind") ?? "customers");
        var matchOn = errors.Enum<ImportMatchKey>("matchOn", fields.GetValueOrDefault("matchOn") ?? "externalId");
        var dryRun = false;
        if (fields.GetValueOrDefault("dryRun") is { } dry && !bool.TryParse(dry.Trim(), out dryRun))
        {
            errors.Add("dryRun", "true or false.");
        }

        var format = ImportFormat.Csv;
        if (fields.GetValueOrDefault("format") is { } named)
        {
            format = named.Trim().ToLowerInvariant() switch
            {
                "csv" => ImportFormat.Csv,
                "jsonl" or "jsonlines" or "ndjson" => ImportFormat.JsonLines,
                _ => Invalid(errors, "format", "csv or jsonl."),
            };
        }
        else if (file?.Name is { } name && (name.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase)))
        {
            format = ImportFormat.JsonLines;
        }

        var mapping = kind is { } k && matchOn is { } m ? Mapping(errors, fields.GetValueOrDefault("mapping"), k, m) : null;
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
            FileName = file!.Value.Name.Length > 200 ? file.Value.Name[..200] : file.Value.Name,
            Format = format,
            FileBytes = file.Value.Bytes,
            StartedBy = actor,
            CreatedAt = now,
        };
    }

    private static ImportFormat Invalid(ValidationErrors errors, string field, string message)
    {
        errors.Add(field, message);
        return ImportFormat.Csv;
    }

    private static ImmutableDictionary<string, string>? Mapping(ValidationErrors errors, string? text, ImportKind kind, ImportMatchKey matchOn)
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
        if (await Job(grains, caller, id).GetAsync() is null)
        {
            return TypedResults.NotFound();
        }

        var blob = new ImportBlob(caller.TenantId(), id, ImportBlob.Rejected);
        return TypedResults.Stream(async body =>
        {
            await body.WriteAsync(RejectedRowsFile.Header);
            await using var rejected = files.OpenRead(blob);
            await rejected.CopyToAsync(body);
        }, "text/csv; charset=utf-8", $"import-{id}-rejected.csv");
    }

    /// <summary>Another tenant's import is indistinguishable from one that does not exist: the key holds the caller's tenant.</summary>
    private static IImportJobGrain Job(IGrainFactory grains, ClaimsPrincipal caller, Guid id) => grains.GetGrain<IImportJobGrain>($"{caller.TenantId()}/{id}");
}
