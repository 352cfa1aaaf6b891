using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Xml;
using Crm.Customers;
using Crm.Ingestion;
using Crm.Storage;

namespace Crm.Segments;

/// <summary>
/// Reads rules as the API takes them, <c>{"all": [...]}</c>, <c>{"any": [...]}</c>, <c>{"not": {...}}</c> or a
/// condition <c>{"field", "op", "value"}</c>, checking every field, operator and value against what the field is, and
/// naming each problem by its place ("rules.all[1].any[0].value"). Bounded in depth, conditions and values, so that
/// no rule set costs more than a few indexed comparisons per customer.
/// </summary>
public static class SegmentRules
{
    public const int MaxDepth = 8;
    public const int MaxConditions = 100;
    public const int MaxValues = 500;
    public const int MaxTextLength = 200;

    private static readonly TimeSpan MaxWithin = TimeSpan.FromDays(36_600);

    public static (SegmentRule? Rule, IReadOnlyList<FieldProblem> Problems) Parse(JsonElement json, IReadOnlyDictionary<string, FieldDefinition> definitions, string path = "rules")
    {
        // Text no database can store, in a key or a value, is named before anything reads it (a key shown in a message would otherwise not encode).
        if (JsonInput.Check(json) is { } unreadable)
        {
            return (null, [unreadable.Under(path)]);
        }

        var parser = new Parser(definitions);
        var rule = parser.Rule(json, path, depth: 1);
        if (parser.Conditions > MaxConditions)
        {
            parser.Problems.Add(new FieldProblem(path, $"At most {MaxConditions} conditions; this has {parser.Conditions}."));
        }

        return parser.Problems.Count == 0 ? (rule, []) : (null, parser.Problems);
    }

    private static SegmentField FieldOf(Condition condition, IReadOnlyDictionary<string, FieldDefinition> definitions)
    {
        if (SegmentField.Standard.TryGetValue(condition.Field, out var field))
        {
            return field;
        }

        var attribute = condition.Field[SegmentField.AttributePrefix.Length..];
        return SegmentField.Attribute(attribute, definitions.GetValueOrDefault(attribute), KindOf(condition));
    }

    /// <summary>What an attribute without a definition is compared as: the kind its values were read as.</summary>
    private static SegmentValueKind? KindOf(Condition condition)
    {
        var value = condition.Values.FirstOrDefault();
        return condition.Op switch
        {
            RuleOperator.Exists => null,
            RuleOperator.Within => SegmentValueKind.Date,
            RuleOperator.Contains => SegmentValueKind.Text,
            _ when value is null => null,
            _ when value is "true" or "false" => SegmentValueKind.Boolean,
            _ when decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _) && value.Trim() == value => SegmentValueKind.Number,
            RuleOperator.Gt or RuleOperator.Gte or RuleOperator.Lt or RuleOperator.Lte when IsDate(value) => SegmentValueKind.Date,
            _ => SegmentValueKind.Text,
        };
    }

    /// <summary>Whether the rule's answer for a customer can change with nothing but the time (it has a <c>within</c> condition).</summary>
    public static bool MovesWithTime(SegmentRule rule) => rule switch
    {
        AllOf all => all.Rules.Any(MovesWithTime),
        AnyOf any => any.Rules.Any(MovesWithTime),
        NotRule not => MovesWithTime(not.Rule),
        Condition condition => condition.Op == RuleOperator.Within,
        _ => false,
    };

    internal static bool IsDate(string value) =>
        value.Length == 10 && DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    /// <summary>
    /// Whether a stored attribute reads as a date to a date condition: its form, nnnn-nn-nn in ASCII digits, as
    /// <see cref="SegmentSql"/> checks it too (a calendar check there would be one more place to disagree).
    /// </summary>
    internal static bool IsDateShaped(string value) =>
        value is [var y1, var y2, var y3, var y4, '-', var m1, var m2, '-', var d1, var d2]
        && new[] { y1, y2, y3, y4, m1, m2, d1, d2 }.All(char.IsAsciiDigit);

    private static readonly Dictionary<string, RuleOperator> Operators =
        Enum.GetValues<RuleOperator>().ToDictionary(DbText.From, StringComparer.OrdinalIgnoreCase);

    private sealed class Parser(IReadOnlyDictionary<string, FieldDefinition> definitions)
    {
        public List<FieldProblem> Problems { get; } = [];

        public int Conditions { get; private set; }

        public SegmentRule? Rule(JsonElement json, string path, int depth)
        {
            if (json.ValueKind != JsonValueKind.Object)
            {
                return Fail(path, """A rule is an object: {"all": [...]}, {"any": [...]}, {"not": {...}} or a condition {"field", "op", "value"}.""");
            }

            if (depth > MaxDepth)
            {
                return Fail(path, $"Rules nest at most {MaxDepth} deep.");
            }

            var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in json.EnumerateObject())
            {
                if (!properties.TryAdd(property.Name, property.Value))
                {
                    return Fail($"{path}.{property.Name}", "Given twice.");
                }
            }

            foreach (var group in new[] { "all", "any", "not" })
            {
                if (properties.TryGetValue(group, out var inner))
                {
                    return properties.Count > 1
                        ? Fail(path, $"A \"{group}\" group has nothing beside it; found {string.Join(", ", properties.Keys.Where(k => k != group))}.")
                        : group == "not" ? Not(inner, $"{path}.not", depth) : Group(group, inner, $"{path}.{group}", depth);
                }
            }

            return Condition(properties, path);
        }

        private SegmentRule? Not(JsonElement inner, string path, int depth) =>
            Rule(inner, path, depth + 1) is { } rule ? new NotRule(rule) : null;

        private SegmentRule? Group(string kind, JsonElement items, string path, int depth)
        {
            if (items.ValueKind != JsonValueKind.Array)
            {
                return Fail(path, "A list of rules.");
            }

            if (items.GetArrayLength() > MaxConditions)
            {
                return Fail(path, $"A group holds at most {MaxConditions} rules.");
            }

            var rules = items.EnumerateArray().Select((item, i) => Rule(item, $"{path}[{i}]", depth + 1)).ToList();
            if (rules.Any(r => r is null))
            {
                return null;
            }

            ImmutableArray<SegmentRule> all = [.. rules!];
            return kind == "all" ? new AllOf(all) : new AnyOf(all);
        }

        private Condition? Condition(Dictionary<string, JsonElement> properties, string path)
        {
            Conditions++;
            if (properties.Keys.FirstOrDefault(k => k is not ("field" or "op" or "value")) is { } unknown)
            {
                return FailCondition($"{path}.{unknown}", "Not part of a condition: it has \"field\", \"op\" and \"value\" (or is a group: \"all\", \"any\", \"not\").");
            }

            if (!properties.TryGetValue("field", out var fieldJson) || fieldJson.ValueKind != JsonValueKind.String || fieldJson.GetString() is not { Length: > 0 } name)
            {
                return FailCondition($"{path}.field", "Required: the field's API name, e.g. \"tags\" or \"attributes.plan\".");
            }

            if (!SegmentField.Standard.ContainsKey(name)
                && !(name.StartsWith(SegmentField.AttributePrefix, StringComparison.Ordinal) && AttributeNames.IsValid(name[SegmentField.AttributePrefix.Length..])))
            {
                return FailCondition($"{path}.field", $"Unknown field '{Shown(name)}': one of {string.Join(", ", SegmentField.Standard.Keys.Order(StringComparer.Ordinal))} or attributes.<name>.");
            }

            var opText = properties.TryGetValue("op", out var opJson) && opJson.ValueKind == JsonValueKind.String ? opJson.GetString() : null;
            if (opText is null || !Operators.TryGetValue(opText, out var op))
            {
                return FailCondition($"{path}.op", $"Required: one of {string.Join(", ", Enum.GetValues<RuleOperator>().Select(DbText.From))}.");
            }

            var values = Values(op, properties.TryGetValue("value", out var value) ? value : (JsonElement?)null, $"{path}.value");
            if (values is null)
            {
                return null;
            }

            var condition = new Condition(name, op, values.Value, SegmentValueKind.Text);
            var field = FieldOf(condition, definitions);
            if (!field.Ops.Contains(op))
            {
                return FailCondition($"{path}.op", $"'{DbText.From(op)}' does not apply to {name}: use one of {string.Join(", ", field.Ops.Select(DbText.From))}.");
            }

            return Checked(condition with { Kind = field.Kind }, field, $"{path}.value");
        }

        /// <summary>The value as text: one for most operators, a list for <c>in</c>, none or a boolean for <c>exists</c>.</summary>
        private ImmutableArray<string>? Values(RuleOperator op, JsonElement? value, string path)
        {
            if (op == RuleOperator.Exists)
            {
                return value is null ? ["true"]
                    : value.Value.ValueKind is JsonValueKind.True or JsonValueKind.False ? [value.Value.GetBoolean() ? "true" : "false"]
                    : FailValues(path, "For exists: nothing, true, or false (the field is empty).");
            }

            if (value is not { } given || given.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            {
                return FailValues(path, op == RuleOperator.In ? "Required: a list of values." : "Required.");
            }

            if (op == RuleOperator.In)
            {
                if (given.ValueKind != JsonValueKind.Array || given.GetArrayLength() is 0 or > MaxValues)
                {
                    return FailValues(path, $"For in: a list of 1 to {MaxValues} values.");
                }

                var items = given.EnumerateArray().Select(Scalar).ToList();
                return items.Any(i => i is null) ? FailValues(path, "For in: a list of strings, numbers or booleans.") : [.. items!];
            }

            return Scalar(given) is { } scalar ? [scalar] : FailValues(path, "A string, number or boolean.");
        }

        private static string? Scalar(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };

        /// <summary>Each value read as what the field is, in the form comparisons use.</summary>
        private Condition? Checked(Condition condition, SegmentField field, string path)
        {
            if (condition.Op == RuleOperator.Exists)
            {
                return condition;
            }

            if (condition.Op == RuleOperator.Within)
            {
                return Duration(condition.Values[0]) is { } within
                    ? condition with { Values = [XmlConvert.ToString(within)] }
                    : FailCondition(path, "For within: a positive ISO 8601 duration back from now, e.g. \"P30D\" or \"PT12H\".");
            }

            var values = new List<string>(condition.Values.Length);
            foreach (var value in condition.Values)
            {
                var (normal, problem) = Normalized(field, value);
                if (problem is not null)
                {
                    return FailCondition(path, problem);
                }

                values.Add(normal!);
            }

            return condition with { Values = [.. values] };
        }

        private static (string? Value, string? Problem) Normalized(SegmentField field, string value) => field.Kind switch
        {
            SegmentValueKind.Number => decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                ? (number.ToString(CultureInfo.InvariantCulture), null)
                : (null, $"{field.Name} is a number: '{Shown(value)}' is not."),
            SegmentValueKind.Boolean => value is "true" or "false" ? (value, null) : (null, $"{field.Name} is true or false."),
            SegmentValueKind.Date => IsDate(value) ? (value, null) : (null, $"{field.Name} is a date: yyyy-MM-dd, not '{Shown(value)}'."),
            SegmentValueKind.Time => DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) && time.Year is > 1 and < 9999
                // To the microsecond, as PostgreSQL keeps times: both lists then compare the same moment.
                ? (new DateTimeOffset(time.UtcTicks - time.UtcTicks % 10, TimeSpan.Zero).ToString("O", CultureInfo.InvariantCulture), null)
                : (null, $"{field.Name} is a time: ISO 8601, e.g. 2026-01-31T09:00:00Z, not '{Shown(value)}'."),
            _ when value.Trim() is not { Length: > 0 and <= MaxTextLength } text => (null, $"1 to {MaxTextLength} characters."),
            _ when StorableText.Problem(value) is { } problem => (null, problem),
            _ when !field.Choices.IsDefault && !field.Choices.Contains(value.Trim().ToLowerInvariant()) =>
                (null, $"'{Shown(value)}' is not one of: {string.Join(", ", field.Choices)}."),
            _ => (value.Trim().ToLowerInvariant(), null),
        };

        private static TimeSpan? Duration(string value)
        {
            try
            {
                var duration = XmlConvert.ToTimeSpan(value);
                return duration > TimeSpan.Zero && duration <= MaxWithin ? duration : null;
            }
            catch (FormatException)
            {
                return null;
            }
            catch (OverflowException)
            {
                return null;
            }
        }

        /// <summary>A value as a message quotes it: the first 40 characters, never half of one written as a surrogate pair.</summary>
        private static string Shown(string value) =>
            value.Length <= 40 ? value : value[..(char.IsHighSurrogate(value[39]) ? 39 : 40)] + "…";

        private SegmentRule? Fail(string path, string message)
        {
            Problems.Add(new FieldProblem(path, message));
            return null;
        }

        private Condition? FailCondition(string path, string message)
        {
            Problems.Add(new FieldProblem(path, message));
            return null;
        }

        private ImmutableArray<string>? FailValues(string path, string message)
        {
            Problems.Add(new FieldProblem(path, message));
            return null;
        }
    }
}
