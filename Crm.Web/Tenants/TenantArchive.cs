using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Crm.Customers;
using Crm.Imports;
using Crm.Security;
using Crm.Timeline;
using Crm.Web.Api;
using Crm.Web.Security;

namespace Crm.Web.Tenants;

/// <summary>One line of a tenant archive (JSON Lines): the tenant first, then its users, import templates and customers, each customer followed by its timeline.</summary>
public sealed record ArchiveLine
{
    public const string Format = "crm-tenant-archive";
    public const int CurrentVersion = 1;

    public required string Type { get; init; }
    public string? ArchiveFormat { get; init; }
    public int? Version { get; init; }
    public Tenant? Tenant { get; init; }
    public DateTimeOffset? ExportedAt { get; init; }
    public bool? PasswordHashes { get; init; }
    public UserAccount? User { get; init; }
    public ImportTemplate? Template { get; init; }
    public Customer? Customer { get; init; }
    public string? CustomerId { get; init; }
    public IReadOnlyList<Interaction>? Interactions { get; init; }
}

/// <summary>What a tenant import did.</summary>
/// <param name="NewPasswords">Users imported without their password hashes, and the one-time password each was given.</param>
public sealed record TenantImportResult(string TenantId, int Users, int Templates, int Customers, long Interactions, IReadOnlyDictionary<string, string> NewPasswords);

/// <summary>
/// One tenant, portable: everything it owns written to a file of JSON Lines a customer at a time (memory stays flat
/// however many customers), and read back into another deployment. Users go without their password hashes unless
/// asked; sources do not go at all, as their keys and signing secrets are kept only as hashes and under this
/// deployment's data protection keys: connect them again after an import.
/// </summary>
public sealed class TenantArchive(
    IAccountStore accounts, ICustomerDirectory directory, ITimelineStore timelines, IGrainFactory grains, Passwords passwords, TimeProvider time)
{
    private const int InteractionsPerLine = 500;

    public static readonly JsonSerializerOptions Json = new(CrmJson.Options) { WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public async Task<(int Customers, long Interactions)> ExportAsync(string tenantId, Stream output, bool withPasswordHashes, CancellationToken cancellationToken)
    {
        var tenant = await accounts.FindTenantAsync(tenantId, cancellationToken) ?? throw new InvalidOperationException($"No tenant '{tenantId}'.");
        await WriteAsync(output, new ArchiveLine
        {
            Type = "tenant", ArchiveFormat = ArchiveLine.Format, Version = ArchiveLine.CurrentVersion, Tenant = tenant,
            ExportedAt = time.GetUtcNow(), PasswordHashes = withPasswordHashes,
        }, cancellationToken);
        foreach (var user in await accounts.ListUsersAsync(tenantId, cancellationToken))
        {
            await WriteAsync(output, new ArchiveLine { Type = "user", User = withPasswordHashes ? user : user with { PasswordHash = "" } }, cancellationToken);
        }

        foreach (var template in await grains.GetGrain<IImportTemplatesGrain>(tenantId).ListAsync())
        {
            await WriteAsync(output, new ArchiveLine { Type = "template", Template = template }, cancellationToken);
        }

        var (customers, interactions) = (0, 0L);
        var search = new CustomerSearch(tenantId, null, null, CustomerSearch.MaxLimit);
        for (var page = await directory.SearchAsync(search, cancellationToken); ; page = await directory.SearchAsync(search, cancellationToken))
        {
            foreach (var row in page.Items)
            {
                if (await grains.GetGrain<ICustomerGrain>(row.Key.ToString()).GetAsync() is not { } customer)
                {
                    continue;
                }

                await WriteAsync(output, new ArchiveLine { Type = "customer", Customer = customer }, cancellationToken);
                customers++;
                for (long after = 0; ;)
                {
                    var rows = await timelines.ReadSinceAsync(row.Key, after, InteractionsPerLine, cancellationToken);
                    if (rows.Count == 0)
                    {
                        break;
                    }

                    await WriteAsync(output, new ArchiveLine { Type = "interactions", CustomerId = customer.Id, Interactions = rows }, cancellationToken);
                    interactions += rows.Count;
                    after = rows[^1].Sequence;
                }
            }

            if (page.Next is null)
            {
                return (customers, interactions);
            }

            search = search with { After = page.Next };
        }
    }

    /// <summary>Reads an archive into this deployment: the tenant must not exist here yet.</summary>
    public async Task<TenantImportResult> ImportAsync(Stream input, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(input);
        var header = await ReadAsync(reader, cancellationToken);
        if (header is not { Type: "tenant", ArchiveFormat: ArchiveLine.Format, Tenant: { } tenant } || header.Version > ArchiveLine.CurrentVersion)
        {
            throw new InvalidDataException($"Not a tenant archive of version {ArchiveLine.CurrentVersion} or earlier.");
        }

        if (!await accounts.TryCreateTenantAsync(tenant, cancellationToken))
        {
            throw new InvalidOperationException($"Tenant '{tenant.Id}' exists here already: an archive is imported into a deployment without it.");
        }

        var (users, templates, customers, interactions) = (0, 0, 0, 0L);
        var newPasswords = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await ReadAsync(reader, cancellationToken) is { } line)
        {
            switch (line)
            {
                case { Type: "user", User: { } user } when user.TenantId == tenant.Id:
                    if (user.PasswordHash.Length == 0)
                    {
                        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
                        newPasswords[user.Email] = password;
                        user = user with { PasswordHash = passwords.Hash(password) };
                    }

                    users += await accounts.TryCreateUserAsync(user, cancellationToken) ? 1 : 0;
                    break;
                case { Type: "template", Template: { } template }:
                    templates += await grains.GetGrain<IImportTemplatesGrain>(tenant.Id).SaveAsync(template) ? 1 : 0;
                    break;
                case { Type: "customer", Customer: { } customer }:
                    await grains.GetGrain<ICustomerGrain>(new CustomerKey(tenant.Id, customer.Id).ToString()).RestoreAsync(customer);
                    customers++;
                    break;
                case { Type: "interactions", CustomerId: { } customerId, Interactions: { } rows }:
                    await timelines.AppendAsync(new CustomerKey(tenant.Id, customerId), rows, cancellationToken);
                    interactions += rows.Count;
                    break;
                default:
                    throw new InvalidDataException($"An archive line of type '{line.Type}' does not belong in tenant {tenant.Id}'s archive.");
            }
        }

        return new TenantImportResult(tenant.Id, users, templates, customers, interactions, newPasswords);
    }

    private static async Task WriteAsync(Stream output, ArchiveLine line, CancellationToken cancellationToken)
    {
        await JsonSerializer.SerializeAsync(output, line, Json, cancellationToken);
        output.WriteByte((byte)'\n');
    }

    private static async Task<ArchiveLine?> ReadAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        while (await reader.ReadLineAsync(cancellationToken) is { } text)
        {
            if (!string.IsNullOrWhiteSpace(text))
            {
                return JsonSerializer.Deserialize<ArchiveLine>(text, Json) ?? throw new InvalidDataException("An empty archive line.");
            }
        }

        return null;
    }
}
