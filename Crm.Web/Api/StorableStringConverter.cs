using System.Text.Json;
using System.Text.Json.Serialization;
using Crm.Storage;

namespace Crm.Web.Api;

/// <summary>
/// Every string a request carries, as values and as object keys, is text the stores can keep: a NUL, an unpaired
/// surrogate or invalid UTF-8 is a 400 naming the field where it arrives, never a failed write later.
/// </summary>
internal sealed class StorableStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : Checked(ref reader);

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Checked(ref reader);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

    private static string Checked(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
        {
            // Without a message of its own, System.Text.Json says what it expected, and where.
            throw new JsonException();
        }

        string text;
        try
        {
            text = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new JsonException(InvalidText);
        }

        return StorableText.Problem(text) is { } problem ? throw new JsonException(problem) : text;
    }

    public const string InvalidText = "Not valid text (invalid UTF-8 or an unpaired surrogate).";
}
