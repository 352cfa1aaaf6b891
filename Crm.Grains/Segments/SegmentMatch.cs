using System.Globalization;
using System.Xml;
using Crm.Customers;
using Crm.Storage;

namespace Crm.Segments;

/// <summary>
/// Whether a customer's row meets a rule: the embedded directory's evaluation, and the definition the SQL one
/// (<see cref="SegmentSql"/>) must agree with under the same contract tests. A field compares only with values of its
/// kind: an attribute holding text never meets a number condition; <c>ne</c> is the opposite of <c>eq</c>, so a
/// customer without the field meets it.
/// </summary>
public static class SegmentMatch
{
    public static bool Matches(SegmentRule rule, CustomerSummary row, DateTimeOffset now) => rule switch
    {
        AllOf all => all.Rules.All(r => Matches(r, row, now)),
        AnyOf any => any.Rules.Any(r => Matches(r, row, now)),
        NotRule not => !Matches(not.Rule, row, now),
        Condition condition => Meets(condition, row, now),
        _ => throw new ArgumentException($"Unknown rule {rule.GetType().Name}.", nameof(rule)),
    };

    private static bool Meets(Condition condition, CustomerSummary row, DateTimeOffset now)
    {
        if (condition.Field == "tags")
        {
            var tags = row.Tags.Select(t => t.ToLowerInvariant()).ToHashSet();
            return condition.Op switch
            {
                RuleOperator.Exists => tags.Count > 0 == (condition.Values[0] == "true"),
                _ => condition.Values.Any(tags.Contains),
            };
        }

        var (kind, value) = ValueOf(condition, row);
        return condition.Op switch
        {
            RuleOperator.Exists => value is not null == (condition.Values[0] == "true"),
            RuleOperator.Ne => !Compare(RuleOperator.Eq, kind, value, condition.Values, now),
            var op => Compare(op, kind, value, condition.Values, now),
        };
    }

    private static bool Compare(RuleOperator op, SegmentValueKind kind, string? value, IReadOnlyList<string> values, DateTimeOffset now)
    {
        if (value is null)
        {
            return false;
        }

        return op switch
        {
            RuleOperator.In => values.Any(v => Order(kind, value, v) == 0),
            RuleOperator.Contains => value.Contains(values[0], StringComparison.Ordinal),
            RuleOperator.Within => Order(kind, value, At(kind, Back(now, values[0]))) >= 0 && Order(kind, value, At(kind, now)) <= 0,
            RuleOperator.Eq => Order(kind, value, values[0]) == 0,
            RuleOperator.Gt => Order(kind, value, values[0]) > 0,
            RuleOperator.Gte => Order(kind, value, values[0]) >= 0,
            RuleOperator.Lt => Order(kind, value, values[0]) < 0,
            RuleOperator.Lte => Order(kind, value, values[0]) <= 0,
            _ => false,
        };
    }

    /// <summary>The row's value of the field, in the same form as the condition's values, or null when it has none of that kind.</summary>
    private static (SegmentValueKind Kind, string? Value) ValueOf(Condition condition, CustomerSummary row)
    {
        if (condition.Field.StartsWith(SegmentField.AttributePrefix, StringComparison.Ordinal))
        {
            var kind = condition.Kind;
            var attribute = row.Attributes.GetValueOrDefault(condition.Field[SegmentField.AttributePrefix.Length..]);
            return (kind, attribute is null || condition.Op == RuleOperator.Exists ? attribute?.Value : AttributeAs(kind, attribute));
        }

        return condition.Field switch
        {
            "lifecycle" => (SegmentValueKind.Text, DbText.From(row.Lifecycle)),
            "country" => (SegmentValueKind.Text, row.Country?.ToLowerInvariant()),
            "company" => (SegmentValueKind.Text, row.Company?.ToLowerInvariant()),
            "ownerId" => (SegmentValueKind.Text, row.OwnerId?.ToLowerInvariant()),
            "consent.email" => (SegmentValueKind.Text, DbText.From(row.EmailConsent)),
            "activity.totalInteractions" => (SegmentValueKind.Number, row.TotalInteractions.ToString(CultureInfo.InvariantCulture)),
            "activity.lastContactAt" => (SegmentValueKind.Time, row.LastContactAt?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)),
            "valueSegment" => (SegmentValueKind.Text, row.ValueSegment?.ToLowerInvariant()),
            _ => throw new ArgumentException($"Unknown field {condition.Field}.", nameof(condition)),
        };
    }

    /// <summary>
    /// An attribute compares as text or a date when it holds text (a date is text of the form yyyy-MM-dd), as a
    /// number or a boolean only when it holds one: as stored in JSON, where a date is a string.
    /// </summary>
    private static string? AttributeAs(SegmentValueKind kind, AttributeValue attribute) => (kind, attribute.Kind) switch
    {
        (SegmentValueKind.Text, AttributeKind.Text or AttributeKind.Date) => attribute.Value.ToLowerInvariant(),
        (SegmentValueKind.Date, AttributeKind.Text or AttributeKind.Date) when SegmentRules.IsDateShaped(attribute.Value) => attribute.Value,
        (SegmentValueKind.Number, AttributeKind.Number) when decimal.TryParse(attribute.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _) => attribute.Value,
        (SegmentValueKind.Boolean, AttributeKind.Boolean) => attribute.Value,
        _ => null,
    };

    private static int Order(SegmentValueKind kind, string left, string right) => kind switch
    {
        SegmentValueKind.Number => decimal.Parse(left, NumberStyles.Float, CultureInfo.InvariantCulture).CompareTo(decimal.Parse(right, NumberStyles.Float, CultureInfo.InvariantCulture)),
        SegmentValueKind.Time => DateTimeOffset.Parse(left, CultureInfo.InvariantCulture).CompareTo(DateTimeOffset.Parse(right, CultureInfo.InvariantCulture)),
        _ => string.CompareOrdinal(left, right),
    };

    /// <summary>The moment a duration before now, or the first there is.</summary>
    internal static DateTimeOffset Back(DateTimeOffset now, string duration)
    {
        var span = XmlConvert.ToTimeSpan(duration);
        return now.UtcTicks - DateTimeOffset.MinValue.UtcTicks > span.Ticks ? now - span : DateTimeOffset.MinValue;
    }

    internal static string At(SegmentValueKind kind, DateTimeOffset time) => kind == SegmentValueKind.Date
        ? DateOnly.FromDateTime(time.UtcDateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
        : time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
}
