using System.Text.Json;

namespace Crm.Web.Api;

/// <summary>Turns System.Text.Json's complaints about a request body into a field name and a sentence for the caller.</summary>
public static class JsonProblems
{
    public static (string Field, string Message) Describe(JsonException exception)
    {
        var field = exception.Path is { Length: > 1 } path ? path.TrimStart('$').TrimStart('.') : "body";
        var message = exception.Message;
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            return (field, "Unknown field.");
        }

        if (message.StartsWith("The JSON value could not be converted to", StringComparison.Ordinal))
        {
            return (field, exception.InnerException is InvalidOperationException ? StorableStringConverter.InvalidText : $"Expected {ExpectedKind(message)}.");
        }

        if (message.StartsWith("Duplicate propert", StringComparison.Ordinal))
        {
            // "Duplicate property 'company' encountered…": the key is named even where the path is not.
            var quoted = message.Split('\'');
            return (field == "body" && quoted.Length > 2 ? quoted[1] : field, "This key appears twice in one object.");
        }

        if (message.StartsWith("Must not contain", StringComparison.Ordinal) || message.StartsWith(StorableStringConverter.InvalidText, StringComparison.Ordinal))
        {
            return (field, message.Split(" Path:")[0]);
        }

        var position = exception.LineNumber is { } line ? $" (line {line + 1}, position {exception.BytePositionInLine + 1})" : "";
        return ("body", $"Not valid JSON{position}.");
    }

    private static string ExpectedKind(string message) =>
        message switch
        {
            _ when message.Contains("System.Int", StringComparison.Ordinal) => "a whole number",
            _ when message.Contains("System.Decimal", StringComparison.Ordinal) || message.Contains("System.Double", StringComparison.Ordinal) => "a number",
            _ when message.Contains("System.Boolean", StringComparison.Ordinal) => "true or false",
            _ when message.Contains("Dictionary", StringComparison.Ordinal) || message.Contains("Request", StringComparison.Ordinal) => "an object",
            _ when message.Contains("List", StringComparison.Ordinal) || message.Contains("[]", StringComparison.Ordinal) => "an array",
            _ when message.Contains("System.String", StringComparison.Ordinal) => "a string",
            _ => "a value of another type",
        };
}
