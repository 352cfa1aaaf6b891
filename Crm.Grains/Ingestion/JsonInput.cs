using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Crm.Storage;

namespace Crm.Ingestion;

/// <summary>
/// JSON from outside, read defensively: duplicated keys are refused, and every string, key and number is checked
/// before anything reads it, so that text no database can store (NUL, unpaired surrogates, invalid UTF-8) and numbers
/// no program can hold are answered with the field that holds them.
/// </summary>
public static class JsonInput
{
    public static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false, MaxDepth = 32 };

    /// <param name="checkAll">Also check every value (see <see cref="Check"/>); a batch checks each of its messages on its own instead.</param>
    /// <returns>The document, or what is wrong with the body.</returns>
    public static (JsonDocument? Document, FieldProblem? Problem) Parse(ReadOnlyMemory<byte> body, bool checkAll = true)
    {
        try
        {
            var document = JsonDocument.Parse(body, Options);
            if (checkAll && Check(document.RootElement) is { } problem)
            {
                document.Dispose();
                return (null, problem.Field.Length == 0 ? problem with { Field = "body" } : problem);
            }

            return (document, null);
        }
        catch (InvalidOperationException)
        {
            // Checking for duplicated keys decodes every key: one that is not valid text stops it.
            return (null, new FieldProblem("body", "A key is not valid text (invalid UTF-8 or an unpaired surrogate)."));
        }
        catch (JsonException ex)
        {
            var position = ex.LineNumber is { } line ? $" (line {line + 1}, position {ex.BytePositionInLine + 1})" : "";
            return (null, new FieldProblem("body", ex.Message.StartsWith("Duplicate", StringComparison.Ordinal)
                ? $"A key appears twice in one object{position}."
                : $"Not valid JSON{position}."));
        }
    }

    /// <summary>The first string, key or number in the value that cannot be taken in, with its path ("" for the value itself).</summary>
    public static FieldProblem? Check(JsonElement value, string path = "") => CheckValue(value, new JsonPath(null, path, default, -1));

    /// <remarks>
    /// Every message of every batch passes through here, so what passes costs little: text is decoded only when its
    /// raw form has an escape (the only way JSON can carry a NUL or an unpaired surrogate) or is not valid UTF-8, and
    /// the path of a value is written out only for the value that fails.
    /// </remarks>
    private static FieldProblem? CheckValue(JsonElement value, JsonPath at)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return TextProblem(value) is { } text ? new FieldProblem(at.ToString(), text) : null;
            case JsonValueKind.Number:
                return value.TryGetDouble(out var number) && double.IsFinite(number)
                    ? null
                    : new FieldProblem(at.ToString(), "A number too large to hold.");
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    if (!IsPlainText(JsonMarshal.GetRawUtf8PropertyName(property)))
                    {
                        string name;
                        try
                        {
                            name = property.Name;
                        }
                        catch (InvalidOperationException)
                        {
                            return new FieldProblem(at.ToString(), "A key is not valid text (invalid UTF-8 or an unpaired surrogate).");
                        }

                        if (StorableText.Problem(name) is { } key)
                        {
                            return new FieldProblem(new JsonPath(at, null, property, -1).ToString(), $"The key: {key}");
                        }
                    }

                    if (CheckValue(property.Value, new JsonPath(at, null, property, -1)) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (CheckValue(item, new JsonPath(at, null, default, index++)) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>Where a value is, written out ("a.b[2].c") only when asked: a key's name is decoded then, not on the way down.</summary>
    private sealed record JsonPath(JsonPath? Parent, string? Root, JsonProperty Property, int Index)
    {
        public override string ToString()
        {
            if (Root is not null)
            {
                return Root;
            }

            var parent = Parent!.ToString();
            return Index >= 0 ? $"{parent}[{Index}]" : parent.Length == 0 ? Property.Name : $"{parent}.{Property.Name}";
        }
    }

    /// <summary>Raw JSON text without escapes, in valid UTF-8: it holds no NUL and no unpaired surrogate.</summary>
    private static bool IsPlainText(ReadOnlySpan<byte> raw) => raw.IndexOf((byte)'\\') < 0 && System.Text.Unicode.Utf8.IsValid(raw);

    /// <summary>A string property that <see cref="Check"/> would pass; null otherwise.</summary>
    public static string? String(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            && Check(value) is null
                ? value.GetString()
                : null;

    /// <summary>The value's JSON as sent, in UTF-8, without decoding it.</summary>
    public static int Utf8Length(JsonElement value) => JsonMarshal.GetRawUtf8Value(value).Length;

    /// <summary>The value's JSON as sent, cut to <paramref name="maxBytes"/>, safe to show whatever it holds.</summary>
    public static string Preview(JsonElement value, int maxBytes)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        return raw.Length <= maxBytes ? Encoding.UTF8.GetString(raw) : Encoding.UTF8.GetString(raw[..maxBytes]) + "…";
    }

    private static string? TextProblem(JsonElement value)
    {
        if (IsPlainText(JsonMarshal.GetRawUtf8Value(value)))
        {
            return null;
        }

        try
        {
            return StorableText.Problem(value.GetString());
        }
        catch (InvalidOperationException)
        {
            return "Not valid text (invalid UTF-8 or an unpaired surrogate).";
        }
    }
}
