using System.Net.Http.Json;
using System.Text.Json;

namespace Crm.Tests.Infrastructure;

public static class Json
{
    /// <summary>The body as JSON; it can be read again (the body is buffered).</summary>
    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    /// <summary>The messages a ValidationProblemDetails gives for one field.</summary>
    public static async Task<string[]> ErrorsForAsync(this HttpResponseMessage response, string field)
    {
        var problem = await response.ReadJsonAsync();
        return problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out var messages)
            ? messages.EnumerateArray().Select(m => m.GetString()!).ToArray()
            : [];
    }
}
