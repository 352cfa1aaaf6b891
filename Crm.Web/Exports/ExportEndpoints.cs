using System.Security.Claims;
using System.Text.Json;
using Crm.Customers;
using Crm.Web.Api;
using Crm.Web.Customers;
using Crm.Web.Security;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Crm.Web.Exports;

/// <summary>
/// The customers a search finds, every one of them, as CSV or JSON Lines, written as they are read (a page of the
/// customer list at a time), so an export of any size keeps memory flat. Personal data: supervisors and admins only,
/// and every export is logged with who asked.
/// </summary>
public static partial class ExportEndpoints
{
    private const int PageSize = CustomerSearch.MaxLimit;

    private static readonly ReadOnlyMemory<byte> NewLine = "\n"u8.ToArray();

    /// <summary>The CSV columns: the import's field names, so that an exported file imports again as it is.</summary>
    private static readonly string[] Columns =
    [
        "id", "externalId", "displayName", "givenName", "familyName", "emails", "phones", "company", "jobTitle", "country",
        "address.line1", "address.line2", "address.city", "address.region", "address.postalCode", "address.country",
        "tags", "lifecycle", "ownerId", "attributes", "createdAt", "updatedAt",
    ];

    public static RouteGroupBuilder MapExportsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/exports").WithTags("Exports");
        group.MapGet("/customers", ExportCustomers).RequireAuthorization(Policies.Supervisor);
        return group;
    }

    private static Results<PushStreamHttpResult, ValidationProblem> ExportCustomers(
        [FromQuery] string? query, [FromQuery] string? format, ClaimsPrincipal caller, ICustomerDirectory directory, IGrainFactory grains,
        TimeProvider time, ILoggerFactory loggers)
    {
        var errors = new ValidationErrors();
        var text = errors.Text("query", query, 200);
        var jsonLines = (format ?? "csv").Trim().ToLowerInvariant() switch
        {
            "csv" => false,
            "jsonl" or "ndjson" => true,
            _ => Invalid(errors),
        };
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var tenantId = caller.TenantId();
        LogExport(loggers.CreateLogger(typeof(ExportEndpoints)), tenantId, caller.ToActor().Id, text ?? "", jsonLines ? "jsonl" : "csv");
        var customers = Customers(directory, grains, new CustomerSearch(tenantId, text, null, PageSize));
        var name = $"customers-{time.GetUtcNow():yyyyMMdd-HHmmss}.{(jsonLines ? "jsonl" : "csv")}";
        return TypedResults.Stream(body => jsonLines ? WriteJsonLinesAsync(body, customers) : WriteCsvAsync(body, customers),
            jsonLines ? "application/x-ndjson" : "text/csv; charset=utf-8", name);
    }

    private static bool Invalid(ValidationErrors errors)
    {
        errors.Add("format", "csv or jsonl.");
        return false;
    }

    /// <summary>Every customer the search finds, a page at a time, read from their grains (the directory row holds only what lists show).</summary>
    private static async IAsyncEnumerable<CustomerResponse> Customers(ICustomerDirectory directory, IGrainFactory grains, CustomerSearch search)
    {
        for (var page = await directory.SearchAsync(search); ; page = await directory.SearchAsync(search))
        {
            var customers = await Task.WhenAll(page.Items.Select(c => grains.GetGrain<ICustomerGrain>(c.Key.ToString()).GetAsync()));
            foreach (var customer in customers.OfType<Customer>())
            {
                yield return CustomerResponse.From(customer);
            }

            if (page.Next is null)
            {
                yield break;
            }

            search = search with { After = page.Next };
        }
    }

    private static async Task WriteJsonLinesAsync(Stream body, IAsyncEnumerable<CustomerResponse> customers)
    {
        await foreach (var customer in customers)
        {
            await JsonSerializer.SerializeAsync(body, customer, CrmJson.Options);
            await body.WriteAsync(NewLine);
        }
    }

    private static async Task WriteCsvAsync(Stream body, IAsyncEnumerable<CustomerResponse> customers)
    {
        await using var csv = CsvWriter.Create(body, CsvOutput.Options, leaveOpen: true);
        foreach (var column in Columns)
        {
            csv.WriteField(column);
        }

        await csv.EndRecordAsync();
        await foreach (var c in customers)
        {
            string?[] fields =
            [
                c.Id, c.ExternalId, c.DisplayName, c.GivenName, c.FamilyName, string.Join("; ", c.Emails), string.Join("; ", c.Phones), c.Company,
                c.JobTitle, c.Country, c.Address?.Line1, c.Address?.Line2, c.Address?.City, c.Address?.Region, c.Address?.PostalCode, c.Address?.Country,
                string.Join("; ", c.Tags), JsonNamingPolicy.CamelCase.ConvertName(c.Lifecycle.ToString()), c.OwnerId,
                c.Attributes.Count == 0 ? null : JsonSerializer.Serialize(c.Attributes, CrmJson.Options), c.CreatedAt.ToString("O"), c.UpdatedAt.ToString("O"),
            ];
            foreach (var field in fields)
            {
                csv.WriteField(field);
            }

            await csv.EndRecordAsync();
        }

        await csv.FlushAsync();
    }

    [LoggerMessage(LogLevel.Information, "Tenant {TenantId}: user {UserId} exported the customers matching '{Query}' as {Format}")]
    private static partial void LogExport(ILogger logger, string tenantId, string userId, string query, string format);
}
