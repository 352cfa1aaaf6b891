using System.Collections.Immutable;
using Crm.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Crm.Web.Api;

/// <summary>Collects what is wrong with a request, field by field, so that the caller learns everything at once.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }

        messages.Add(message);
    }

    /// <summary>Trims; empty becomes null. Reports a missing required value, one longer than the limit, or one the stores cannot keep.</summary>
    public string? Text(string field, string? value, int maxLength, bool required = false)
    {
        var trimmed = string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        if (trimmed is null && required)
        {
            Add(field, "Required.");
        }
        else if (trimmed is not null && trimmed.Length > maxLength)
        {
            Add(field, $"At most {maxLength} characters.");
        }
        else if (trimmed is not null && StorableText.Problem(trimmed) is { } problem)
        {
            Add(field, problem);
        }

        return trimmed;
    }

    /// <summary>Parses one of an enum's camelCase names; reports anything else along with the allowed names.</summary>
    public TEnum? Enum<TEnum>(string field, string? value) where TEnum : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (System.Enum.TryParse<TEnum>(value.Trim(), ignoreCase: true, out var parsed) && System.Enum.IsDefined(parsed) && !char.IsDigit(value.Trim()[0]))
        {
            return parsed;
        }

        Add(field, $"'{value}' is not one of: {string.Join(", ", EnumNames<TEnum>())}.");
        return null;
    }

    /// <summary>
    /// A list whose items are each checked and normalized (<paramref name="check"/> returns the value or a problem);
    /// problems are named like "emails[2]", duplicates are dropped, the first occurrence first.
    /// </summary>
    public ImmutableArray<string> Items(string field, List<string?>? values, int max, Func<string, (string? Value, string? Problem)> check)
    {
        if (values is null)
        {
            return [];
        }

        if (values.Count > max)
        {
            // The rest is not looked at: a list many times too long costs no more than one at the limit.
            Add(field, $"At most {max}.");
            return [];
        }

        var result = ImmutableArray.CreateBuilder<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < values.Count; i++)
        {
            var (value, problem) = string.IsNullOrWhiteSpace(values[i]) ? (null, "Must not be empty.") : check(values[i]!);
            if (problem is not null)
            {
                Add($"{field}[{i}]", problem);
            }
            else if (seen.Add(value!))
            {
                result.Add(value!);
            }
        }

        return result.ToImmutable();
    }

    /// <summary>An object whose entries are each checked (<paramref name="check"/> returns the value or a problem); problems are named like "metadata.key".</summary>
    public ImmutableDictionary<string, TValue> Entries<TInput, TValue>(
        string field, Dictionary<string, TInput>? values, int max, Func<string, TInput, (TValue? Value, string? Problem)> check)
        where TValue : class
    {
        if (values is null)
        {
            return ImmutableDictionary<string, TValue>.Empty;
        }

        if (values.Count > max)
        {
            Add(field, $"At most {max} entries.");
            return ImmutableDictionary<string, TValue>.Empty;
        }

        var result = ImmutableDictionary.CreateBuilder<string, TValue>(StringComparer.Ordinal);
        foreach (var (key, input) in values)
        {
            var (value, problem) = check(key, input);
            if (problem is not null)
            {
                Add($"{field}.{key}", problem);
            }
            else
            {
                result[key] = value!;
            }
        }

        return result.ToImmutable();
    }

    public IDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    public ValidationProblem ToProblem() => TypedResults.ValidationProblem(ToDictionary(), title: "The request is not valid.");

    public static ValidationProblem Single(string field, string message)
    {
        var errors = new ValidationErrors();
        errors.Add(field, message);
        return errors.ToProblem();
    }

    public static IEnumerable<string> EnumNames<TEnum>() where TEnum : struct, Enum =>
        System.Enum.GetNames<TEnum>().Select(System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName);
}
