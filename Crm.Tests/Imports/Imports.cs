using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Imports;

/// <summary>Starting an import as a client does (multipart/form-data), and waiting for it as a client would (GET until finished).</summary>
public static class Imports
{
    public static MultipartFormDataContent Form(byte[] file, string fileName, object? mapping, params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue(fileName.EndsWith(".jsonl", StringComparison.Ordinal) ? "application/x-ndjson" : "text/csv");
        form.Add(content, "file", fileName);
        if (mapping is not null)
        {
            form.Add(new StringContent(JsonSerializer.Serialize(mapping)), "mapping");
        }

        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        return form;
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <returns>The id of the import started.</returns>
    public static async Task<string> StartAsync(HttpClient client, byte[] file, string fileName, object mapping, params (string Name, string Value)[] fields)
    {
        var response = await client.PostAsync("/api/imports", Form(file, fileName, mapping, fields));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("id").GetString()!;
    }

    public static async Task<JsonElement> FinishedAsync(HttpClient client, string id, TimeSpan? timeout = null) =>
        await Eventually.ReturnsAsync(
            async () => await (await client.GetAsync($"/api/imports/{id}")).ReadJsonAsync(),
            job => job.GetProperty("status").GetString() is "completed" or "failed" or "cancelled",
            timeout ?? TimeSpan.FromSeconds(60));

    public static async Task<string> RejectedAsync(HttpClient client, string id) => await client.GetStringAsync($"/api/imports/{id}/rejected");

    public static (long Created, long Updated, long Unchanged, long Rejected, long RowsRead) Counts(JsonElement job) =>
        (job.GetProperty("created").GetInt64(), job.GetProperty("updated").GetInt64(), job.GetProperty("unchanged").GetInt64(),
            job.GetProperty("rejected").GetInt64(), job.GetProperty("rowsRead").GetInt64());
}
