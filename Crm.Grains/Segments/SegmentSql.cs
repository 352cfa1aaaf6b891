using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Segments;

/// <summary>
/// A rule as a condition on table crm_customers, with its values as parameters: the same answers as
/// <see cref="SegmentMatch"/> (the contract tests run both). Every condition is made true or false, never null, so
/// that <c>not</c> and <c>ne</c> hold for customers without the field.
/// </summary>
public static class SegmentSql
{
    public static string Where(SegmentRule rule, NpgsqlParameterCollection parameters, DateTimeOffset now) => rule switch
    {
        AllOf { Rules.IsEmpty: true } => "true",
        AnyOf { Rules.IsEmpty: true } => "false",
        AllOf all => "(" + string.Join(" AND ", all.Rules.Select(r => Where(r, parameters, now))) + ")",
        AnyOf any => "(" + string.Join(" OR ", any.Rules.Select(r => Where(r, parameters, now))) + ")",
        NotRule not => $"(NOT {Where(not.Rule, parameters, now)})",
        Condition condition => $"COALESCE({Meets(condition, parameters, now)}, false)",
        _ => throw new ArgumentException($"Unknown rule {rule.GetType().Name}.", nameof(rule)),
    };

    private static string Meets(Condition condition, NpgsqlParameterCollection parameters, DateTimeOffset now)
    {
        if (condition.Field == "tags")
        {
            return condition.Op == RuleOperator.Exists
                ? $"(cardinality(tag_keys) > 0) = {Add(parameters, condition.Values[0] == "true")}"
                : $"tag_keys && {Add(parameters, condition.Values.ToArray())}::text[]";
        }

        if (condition.Op == RuleOperator.Exists)
        {
            return $"({Present(condition, parameters)}) = {Add(parameters, condition.Values[0] == "true")}";
        }

        var value = ValueOf(condition, parameters);
        return condition.Op switch
        {
            RuleOperator.Ne => $"NOT COALESCE({value} = {Typed(condition, condition.Values[0], parameters)}, false)",
            RuleOperator.In => $"{value} = ANY ({Add(parameters, condition.Values.Select(v => Typed(condition.Kind, v)).ToArray(), condition.Kind)})",
            RuleOperator.Contains => $"strpos({value}, {Add(parameters, condition.Values[0])}) > 0",
            RuleOperator.Within => $"{value} BETWEEN {Typed(condition, SegmentMatch.At(condition.Kind, SegmentMatch.Back(now, condition.Values[0])), parameters)} AND {Typed(condition, SegmentMatch.At(condition.Kind, now), parameters)}",
            var op => $"{value} {Operator(op)} {Typed(condition, condition.Values[0], parameters)}",
        };
    }

    /// <summary>The row's value of the field, of the condition's kind, or null when it holds none of that kind.</summary>
    private static string ValueOf(Condition condition, NpgsqlParameterCollection parameters)
    {
        if (condition.Field.StartsWith(SegmentField.AttributePrefix, StringComparison.Ordinal))
        {
            var key = Add(parameters, condition.Field[SegmentField.AttributePrefix.Length..]);
            return condition.Kind switch
            {
                SegmentValueKind.Number => $"(CASE WHEN jsonb_typeof(attributes -> {key}) = 'number' THEN (attributes ->> {key})::numeric END)",
                SegmentValueKind.Boolean => $"(CASE WHEN jsonb_typeof(attributes -> {key}) = 'boolean' THEN (attributes ->> {key})::boolean END)",
                SegmentValueKind.Date => $"(CASE WHEN jsonb_typeof(attributes -> {key}) = 'string' AND (attributes ->> {key}) ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$' THEN (attributes ->> {key}) COLLATE \"C\" END)",
                _ => $"(CASE WHEN jsonb_typeof(attributes -> {key}) = 'string' THEN (attributes ->> {key}) COLLATE \"C\" END)",
            };
        }

        return condition.Field switch
        {
            "lifecycle" => "lifecycle COLLATE \"C\"",
            // Stored lower-cased by the application, as the embedded list compares them: the database's locale plays no part.
            "country" => "country COLLATE \"C\"",
            "company" => "company_key COLLATE \"C\"",
            "ownerId" => "owner_id COLLATE \"C\"",
            "consent.email" => "email_consent COLLATE \"C\"",
            "activity.totalInteractions" => "total_interactions::numeric",
            "activity.lastContactAt" => "last_contact_at",
            "valueSegment" => "value_segment COLLATE \"C\"",
            _ => throw new ArgumentException($"Unknown field {condition.Field}.", nameof(condition)),
        };
    }

    private static string Present(Condition condition, NpgsqlParameterCollection parameters) =>
        condition.Field.StartsWith(SegmentField.AttributePrefix, StringComparison.Ordinal)
            ? $"attributes ? {Add(parameters, condition.Field[SegmentField.AttributePrefix.Length..])}"
            : $"{ValueOf(condition, parameters)} IS NOT NULL";

    private static string Operator(RuleOperator op) => op switch
    {
        RuleOperator.Eq => "=",
        RuleOperator.Gt => ">",
        RuleOperator.Gte => ">=",
        RuleOperator.Lt => "<",
        RuleOperator.Lte => "<=",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Not a comparison."),
    };

    private static string Typed(Condition condition, string value, NpgsqlParameterCollection parameters) =>
        condition.Kind switch
        {
            SegmentValueKind.Text or SegmentValueKind.Date => $"({Add(parameters, value)} COLLATE \"C\")",
            _ => Add(parameters, Typed(condition.Kind, value)),
        };

    private static object Typed(SegmentValueKind kind, string value) => kind switch
    {
        SegmentValueKind.Number => decimal.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture),
        SegmentValueKind.Boolean => value == "true",
        SegmentValueKind.Time => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture).ToUniversalTime(),
        _ => value,
    };

    private static string Add(NpgsqlParameterCollection parameters, object value)
    {
        parameters.Add(new NpgsqlParameter { Value = value });
        return "$" + parameters.Count;
    }

    private static string Add(NpgsqlParameterCollection parameters, object[] values, SegmentValueKind kind) => kind switch
    {
        SegmentValueKind.Number => Add(parameters, values.Cast<decimal>().ToArray()),
        SegmentValueKind.Boolean => Add(parameters, values.Cast<bool>().ToArray()),
        SegmentValueKind.Time => Add(parameters, values.Cast<DateTimeOffset>().ToArray()),
        _ => $"{Add(parameters, values.Cast<string>().ToArray())}::text[]",
    };
}
