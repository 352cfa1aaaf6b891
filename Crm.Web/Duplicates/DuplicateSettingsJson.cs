using Crm.Customers;
using Crm.Duplicates;
using Crm.Web.Api;

namespace Crm.Web.Duplicates;

/// <summary>A tenant's matching rules as the API reads and writes them: <c>{"rules":[{"field","match","weight"}],"autoMerge"}</c>.</summary>
public sealed record DuplicateSettingsJson(List<DuplicateSettingsJson.Rule?>? Rules, bool? AutoMerge)
{
    public sealed record Rule(string? Field, string? Match, double? Weight);

    public static DuplicateSettingsJson Of(DuplicateSettings settings) =>
        new([.. settings.Rules.Select(r => new Rule(r.Field, r.Match == DuplicateMatch.Exact ? "exact" : "fuzzy", r.Weight))], settings.AutoMerge);

    public static DuplicateSettings? Read(ValidationErrors errors, DuplicateSettingsJson? json)
    {
        if (json?.Rules is not { Count: > 0 } rules)
        {
            errors.Add("rules", """At least one rule: {"field":"emails","match":"exact","weight":0.9}.""");
            return null;
        }

        if (rules.Count > DuplicateSettings.MaxRules)
        {
            errors.Add("rules", $"At most {DuplicateSettings.MaxRules} rules.");
            return null;
        }

        var read = new List<DuplicateRule>();
        for (var i = 0; i < rules.Count; i++)
        {
            var at = $"rules[{i}]";
            if (rules[i] is not { } rule)
            {
                errors.Add(at, "A rule object.");
                continue;
            }

            var field = rule.Field?.Trim();
            if (field is null || !(DuplicateRule.ProfileFields.Contains(field) || (field.StartsWith("attributes.", StringComparison.Ordinal) && AttributeNames.IsValid(field["attributes.".Length..]))))
            {
                errors.Add($"{at}.field", $"One of {string.Join(", ", DuplicateRule.ProfileFields)} or attributes.<name>.");
            }
            else if (read.Any(r => r.Field == field))
            {
                errors.Add($"{at}.field", $"'{field}' has a rule already.");
            }

            var match = errors.Enum<DuplicateMatch>($"{at}.match", rule.Match);
            if (rule.Match is null)
            {
                errors.Add($"{at}.match", "Required: exact or fuzzy.");
            }

            if (rule.Weight is not (> 0 and <= 1))
            {
                errors.Add($"{at}.weight", "A number above 0, at most 1: how much agreeing on this field counts.");
            }

            if (field is not null && match is { } m && rule.Weight is { } weight)
            {
                read.Add(new DuplicateRule(field, m, weight));
            }
        }

        return errors.Any ? null : new DuplicateSettings([.. read], json.AutoMerge ?? false);
    }
}
