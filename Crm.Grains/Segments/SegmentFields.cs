using System.Collections.Immutable;
using Crm.Customers;
using Crm.Storage;

namespace Crm.Segments;

/// <summary>A field rules may name, what its values are, and the operators it takes.</summary>
/// <param name="Choices">For a field of fixed values (lifecycle, consent), the values it may take, in stored form.</param>
/// <param name="IsList">A field of several values (tags): <c>contains</c> one, <c>in</c> any of several.</param>
public sealed record SegmentField(string Name, SegmentValueKind Kind, ImmutableArray<RuleOperator> Ops, ImmutableArray<string> Choices = default, bool IsList = false)
{
    public const string AttributePrefix = "attributes.";

    private static readonly ImmutableArray<RuleOperator> TextOps = [RuleOperator.Eq, RuleOperator.Ne, RuleOperator.Contains, RuleOperator.In, RuleOperator.Exists];
    private static readonly ImmutableArray<RuleOperator> ChoiceOps = [RuleOperator.Eq, RuleOperator.Ne, RuleOperator.In];
    private static readonly ImmutableArray<RuleOperator> OrderedOps = [RuleOperator.Eq, RuleOperator.Ne, RuleOperator.Gt, RuleOperator.Gte, RuleOperator.Lt, RuleOperator.Lte, RuleOperator.Exists];
    private static readonly ImmutableArray<RuleOperator> DateOps = [.. OrderedOps, RuleOperator.Within];

    /// <summary>The fields of every customer, by API name.</summary>
    public static readonly ImmutableDictionary<string, SegmentField> Standard = new SegmentField[]
    {
        new("tags", SegmentValueKind.Text, [RuleOperator.Contains, RuleOperator.In, RuleOperator.Exists], IsList: true),
        new("lifecycle", SegmentValueKind.Text, ChoiceOps, [.. Enum.GetValues<LifecycleStage>().Select(DbText.From)]),
        new("country", SegmentValueKind.Text, [RuleOperator.Eq, RuleOperator.Ne, RuleOperator.In, RuleOperator.Exists]),
        new("company", SegmentValueKind.Text, TextOps),
        new("ownerId", SegmentValueKind.Text, [RuleOperator.Eq, RuleOperator.Ne, RuleOperator.In, RuleOperator.Exists]),
        new("consent.email", SegmentValueKind.Text, ChoiceOps, [.. Enum.GetValues<ConsentStatus>().Select(DbText.From)]),
        new("activity.totalInteractions", SegmentValueKind.Number, [.. OrderedOps.Where(o => o != RuleOperator.Exists)]),
        new("activity.lastContactAt", SegmentValueKind.Time, DateOps),
        // Names come from the tenant's model in use (Champions, Lost, …): not a fixed list.
        new("valueSegment", SegmentValueKind.Text, [RuleOperator.Eq, RuleOperator.Ne, RuleOperator.In, RuleOperator.Exists]),
    }.ToImmutableDictionary(f => f.Name, StringComparer.Ordinal);

    /// <summary>A custom attribute: typed by its definition, or, without one, by the value the rule compares it with.</summary>
    public static SegmentField Attribute(string name, FieldDefinition? definition, SegmentValueKind? inferred) =>
        (definition?.Type, inferred) switch
        {
            (FieldType.Number, _) or (null, SegmentValueKind.Number) => new(AttributePrefix + name, SegmentValueKind.Number, OrderedOps),
            (FieldType.Boolean, _) or (null, SegmentValueKind.Boolean) => new(AttributePrefix + name, SegmentValueKind.Boolean, [RuleOperator.Eq, RuleOperator.Ne, RuleOperator.Exists]),
            (FieldType.Date, _) or (null, SegmentValueKind.Date) => new(AttributePrefix + name, SegmentValueKind.Date, DateOps),
            (FieldType.OneOf, _) => new(AttributePrefix + name, SegmentValueKind.Text, TextOps, [.. definition!.Options.Select(o => o.ToLowerInvariant())]),
            _ => new(AttributePrefix + name, SegmentValueKind.Text, TextOps),
        };
}
