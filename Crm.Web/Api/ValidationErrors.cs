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

    /// <summary>Trims; empty becomes null. Reports a missing required value or one longer than the limit.</summary>
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
