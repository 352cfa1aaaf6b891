using System.Collections.Immutable;

namespace Crm.Imports;

/// <summary>A mapping saved under a name, to import files of the same shape again without mapping them again.</summary>
[GenerateSerializer, Immutable, Alias("crm.import-template")]
public sealed record ImportTemplate(
    [property: Id(0)] string Name,
    [property: Id(1)] ImportKind Kind,
    [property: Id(2)] ImportMatchKey MatchOn,
    [property: Id(3)] ImmutableDictionary<string, string> Mapping,
    [property: Id(4)] DateTimeOffset SavedAt);

/// <summary>A tenant's import templates, keyed by tenant.</summary>
[Alias("crm.import-templates-grain")]
public interface IImportTemplatesGrain : IGrainWithStringKey
{
    public const int MaxTemplates = 100;

    [Alias("list"), Orleans.Concurrency.ReadOnly]
    Task<IReadOnlyList<ImportTemplate>> ListAsync();

    /// <summary>Saves the template, in place of one of the same name.</summary>
    /// <returns>False when the tenant has <see cref="MaxTemplates"/> others already.</returns>
    [Alias("save")]
    Task<bool> SaveAsync(ImportTemplate template);

    /// <returns>False when there is none of that name.</returns>
    [Alias("delete")]
    Task<bool> DeleteAsync(string name);
}
