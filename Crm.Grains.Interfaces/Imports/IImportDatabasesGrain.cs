using System.Collections.Immutable;

namespace Crm.Imports;

/// <summary>
/// A PostgreSQL database an admin registered to import from (an ERP's, a legacy CRM's): its connection string is kept
/// encrypted and never shown again; <see cref="Host"/> and <see cref="Database"/> say which one it is.
/// </summary>
[GenerateSerializer, Immutable, Alias("crm.import-database")]
public sealed record ImportDatabase(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string Host,
    [property: Id(3)] string Database,
    [property: Id(4)] ImmutableArray<byte> SealedConnectionString,
    [property: Id(5)] DateTimeOffset CreatedAt);

/// <summary>A tenant's import databases, keyed by tenant.</summary>
[Alias("crm.import-databases-grain")]
public interface IImportDatabasesGrain : IGrainWithStringKey
{
    public const int MaxDatabases = 20;

    [Alias("list"), Orleans.Concurrency.ReadOnly]
    Task<IReadOnlyList<ImportDatabase>> ListAsync();

    /// <returns>False when the tenant has <see cref="MaxDatabases"/> already.</returns>
    [Alias("add")]
    Task<bool> AddAsync(ImportDatabase database);

    [Alias("remove")]
    Task<bool> RemoveAsync(Guid id);
}
