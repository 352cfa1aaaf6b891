using System.Collections.Immutable;

namespace Crm.Customers;

public enum FieldType
{
    Text = 0,
    Number = 1,
    Boolean = 2,
    Date = 3,
    /// <summary>One of a fixed list of <see cref="FieldDefinition.Options"/>.</summary>
    OneOf = 4,
}

/// <summary>
/// A custom field of a tenant's customers: the attribute of that name takes only values of its type, from the API,
/// the console and imports alike. An attribute without a definition takes any scalar, typed by what it looks like.
/// </summary>
[GenerateSerializer, Immutable, Alias("crm.field-definition")]
public sealed record FieldDefinition(
    [property: Id(0)] string Name,
    [property: Id(1)] string Label,
    [property: Id(2)] FieldType Type,
    [property: Id(3)] ImmutableArray<string> Options);

/// <summary>A tenant's custom field definitions, keyed by tenant.</summary>
[Alias("crm.field-definitions-grain")]
public interface IFieldDefinitionsGrain : IGrainWithStringKey
{
    public const int MaxFields = 200;

    [Alias("list"), Orleans.Concurrency.ReadOnly]
    Task<IReadOnlyList<FieldDefinition>> ListAsync();

    /// <summary>Saves the definition, in place of one of the same name.</summary>
    /// <returns>False when the tenant has <see cref="MaxFields"/> others already.</returns>
    [Alias("save")]
    Task<bool> SaveAsync(FieldDefinition definition);

    [Alias("delete")]
    Task<bool> DeleteAsync(string name);
}
