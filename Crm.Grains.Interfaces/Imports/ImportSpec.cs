using System.Collections.Immutable;
using Crm.Security;

namespace Crm.Imports;

public enum ImportKind
{
    /// <summary>Each row is a customer: created, or updated when the match key finds one.</summary>
    Customers = 0,
    /// <summary>Each row is an interaction (a call, an email, an order…) on the timeline of the customer its match key finds.</summary>
    Interactions = 1,
}

/// <summary>Which field finds the existing customer a row is about.</summary>
public enum ImportMatchKey
{
    ExternalId = 0,
    Email = 1,
}

public enum ImportFormat
{
    Csv = 0,
    JsonLines = 1,
}

/// <summary>What to import and how, as the person who started it asked.</summary>
[GenerateSerializer, Immutable, Alias("crm.import-spec")]
public sealed record ImportSpec
{
    [Id(0)] public ImportKind Kind { get; init; }
    /// <summary>Column (or JSON property) to field, by the API's field names ("emails", "address.city", "attributes.plan").</summary>
    [Id(1)] public ImmutableDictionary<string, string> Mapping { get; init; } = ImmutableDictionary<string, string>.Empty;
    [Id(2)] public ImportMatchKey MatchOn { get; init; }
    /// <summary>Read and check everything, write nothing.</summary>
    [Id(3)] public bool DryRun { get; init; }
    [Id(4)] public string FileName { get; init; } = "";
    [Id(5)] public ImportFormat Format { get; init; }
    [Id(6)] public long FileBytes { get; init; }
    [Id(7)] public Actor StartedBy { get; init; } = new("", "");
    [Id(8)] public DateTimeOffset CreatedAt { get; init; }
    /// <summary>Set for an import from a registered database (<see cref="ImportDatabase"/>) rather than a file.</summary>
    [Id(9)] public Guid? DatabaseId { get; init; }
    /// <summary>The SELECT whose rows are imported, from <see cref="DatabaseId"/>.</summary>
    [Id(10)] public string? Query { get; init; }
    /// <summary>The rows the query returned when the import was started: its size, as <see cref="FileBytes"/> is a file's.</summary>
    [Id(11)] public long QueryRows { get; init; }
    /// <summary>The culture numbers and dates in the file are written in ("de-DE": 1.234,5 and 31.01.2027); null: invariant (1234.5, 2027-01-31).</summary>
    [Id(12)] public string? Culture { get; init; }
}
