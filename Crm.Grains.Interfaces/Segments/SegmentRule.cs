using System.Collections.Immutable;

namespace Crm.Segments;

/// <summary>
/// Which customers a segment holds: conditions on their fields combined in nested all / any / not groups. The same
/// rules filter the customer list and choose campaign audiences.
/// </summary>
[GenerateSerializer, Immutable, Alias("crm.segment-rule")]
public abstract record SegmentRule;

/// <summary>Every rule holds (an empty group holds for everyone).</summary>
[GenerateSerializer, Immutable, Alias("crm.segment-rule.all")]
public sealed record AllOf([property: Id(0)] ImmutableArray<SegmentRule> Rules) : SegmentRule;

/// <summary>At least one rule holds.</summary>
[GenerateSerializer, Immutable, Alias("crm.segment-rule.any")]
public sealed record AnyOf([property: Id(0)] ImmutableArray<SegmentRule> Rules) : SegmentRule;

[GenerateSerializer, Immutable, Alias("crm.segment-rule.not")]
public sealed record NotRule([property: Id(0)] SegmentRule Rule) : SegmentRule;

/// <summary>
/// One condition on one field, by its API name. Values are kept as checked text in invariant form (numbers, dates
/// yyyy-MM-dd, times in UTC ISO 8601, durations as ISO 8601, lower-cased text), as many as the operator takes, and
/// compared as <see cref="Kind"/>: what the field was when the rule was read.
/// </summary>
[GenerateSerializer, Immutable, Alias("crm.segment-rule.condition")]
public sealed record Condition(
    [property: Id(0)] string Field,
    [property: Id(1)] RuleOperator Op,
    [property: Id(2)] ImmutableArray<string> Values,
    [property: Id(3)] SegmentValueKind Kind) : SegmentRule;

/// <summary>What a condition's values are compared as.</summary>
public enum SegmentValueKind
{
    /// <summary>Compared without regard to case.</summary>
    Text = 0,
    Number = 1,
    Boolean = 2,
    /// <summary>A calendar day, yyyy-MM-dd.</summary>
    Date = 3,
    /// <summary>A moment, compared in UTC.</summary>
    Time = 4,
}

public enum RuleOperator
{
    Eq = 0,
    Ne = 1,
    Contains = 2,
    In = 3,
    Gt = 4,
    Gte = 5,
    Lt = 6,
    Lte = 7,
    Exists = 8,
    /// <summary>A date within a duration back from now.</summary>
    Within = 9,
}
