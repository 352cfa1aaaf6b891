using System.Collections.Immutable;

namespace Crm.DataQuality;

/// <summary>A tenant's rules: the fields every customer should have, and how long a record may go untouched.</summary>
[GenerateSerializer, Immutable, Alias("crm.data-quality-rules")]
public sealed record DataQualityRules
{
    public static readonly DataQualityRules Default = new();

    /// <summary>By the API's field names ("emails", "company", "attributes.plan").</summary>
    [Id(0)] public ImmutableArray<string> Required { get; init; } = ["displayName", "emails"];
    /// <summary>A customer neither changed nor contacted for this long is stale.</summary>
    [Id(1)] public TimeSpan StaleAfter { get; init; } = TimeSpan.FromDays(365);
}

/// <summary>One kind of problem (a required field empty, a value that fails its rule, a stale record), how often, and some of the customers that have it.</summary>
[GenerateSerializer, Immutable, Alias("crm.data-quality-problem")]
public sealed record DataQualityProblem(
    [property: Id(0)] string Rule,
    [property: Id(1)] string Field,
    [property: Id(2)] long Customers,
    [property: Id(3)] ImmutableArray<string> Examples);

[GenerateSerializer, Immutable, Alias("crm.scored-customer")]
public sealed record ScoredCustomer([property: Id(0)] string CustomerId, [property: Id(1)] double Score);

/// <summary>A scan of every customer of a tenant.</summary>
/// <param name="Completeness">Field to the share of customers (0–1) that have it, for every required field and the usual ones.</param>
/// <param name="Score">The customers' mean score, 0–100: the share of their checks they pass.</param>
/// <param name="ScoreBuckets">How many customers score 0–9, 10–19, … 90–100.</param>
/// <param name="Worst">The customers with the lowest scores, lowest first.</param>
[GenerateSerializer, Immutable, Alias("crm.data-quality-report")]
public sealed record DataQualityReport(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] long Customers,
    [property: Id(2)] double Score,
    [property: Id(3)] ImmutableDictionary<string, double> Completeness,
    [property: Id(4)] ImmutableArray<DataQualityProblem> Problems,
    [property: Id(5)] ImmutableArray<long> ScoreBuckets,
    [property: Id(6)] ImmutableArray<ScoredCustomer> Worst,
    [property: Id(7)] DataQualityRules Rules);

/// <summary>A tenant's data quality: its rules and its reports, the latest and the trend, keyed by tenant.</summary>
[Alias("crm.data-quality-grain")]
public interface IDataQualityGrain : IGrainWithStringKey
{
    public const int KeptReports = 60;

    [Alias("rules"), Orleans.Concurrency.ReadOnly]
    Task<DataQualityRules> GetRulesAsync();

    [Alias("set-rules")]
    Task SetRulesAsync(DataQualityRules rules);

    [Alias("reports"), Orleans.Concurrency.ReadOnly]
    Task<IReadOnlyList<DataQualityReport>> GetReportsAsync();

    /// <summary>Keeps a finished scan, the oldest going beyond <see cref="KeptReports"/>.</summary>
    [Alias("add-report")]
    Task AddReportAsync(DataQualityReport report);
}
