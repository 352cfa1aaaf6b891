using System.IO.Compression;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Crm.Tests.Infrastructure;

/// <summary>An integration as the tests play it: a source created by the tenant's admin, sending with its write key.</summary>
public sealed class TestSource
{
    private TestSource(TestUser admin, Guid id, string writeKey, string signingSecret, HttpClient client)
    {
        Admin = admin;
        Id = id;
        WriteKey = writeKey;
        SigningSecret = signingSecret;
        Client = client;
    }

    public TestUser Admin { get; }
    public Guid Id { get; }
    public string WriteKey { get; }
    public string SigningSecret { get; }
    /// <summary>Authenticated as Segment's libraries do: HTTP Basic, the write key as user name, an empty password.</summary>
    public HttpClient Client { get; }

    public static async Task<TestSource> CreateAsync(CrmWebFactory web, TestUser admin, string name = "Web site")
    {
        var created = await (await admin.Client.PostAsJsonAsync("/api/sources", new { name })).ReadJsonAsync();
        var writeKey = created.GetProperty("writeKey").GetString()!;
        var client = web.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{writeKey}:")));
        return new TestSource(admin, created.GetProperty("id").GetGuid(), writeKey, created.GetProperty("signingSecret").GetString()!, client);
    }

    public Task<HttpResponseMessage> SendAsync(string call, object message) => Client.PostAsJsonAsync($"/v1/{call}", message);

    /// <summary>A webhook signed with the source's signing secret, as a phone system or help desk sends it.</summary>
    public Task<HttpResponseMessage> SendWebhookAsync(HttpClient anonymous, object webhook)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(webhook);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/webhooks/{Id}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(Crm.Web.Ingestion.WebhookSignatures.Header, Crm.Web.Ingestion.WebhookSignatures.Sign(SigningSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body));
        return anonymous.SendAsync(request);
    }

    public Task<HttpResponseMessage> SendGzippedAsync(string call, object message)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(JsonSerializer.SerializeToUtf8Bytes(message));
        }

        var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        return Client.PostAsync($"/v1/{call}", content);
    }

    /// <summary>The customer the tenant's search finds for this text, once the processors have applied what was sent.</summary>
    public async Task<JsonElement> CustomerAsync(string search, Func<JsonElement, bool>? until = null)
    {
        var page = await Eventually.ReturnsAsync(
            async () => await (await Admin.Client.GetAsync($"/api/customers?query={Uri.EscapeDataString(search)}")).ReadJsonAsync(),
            p => p.GetProperty("items").GetArrayLength() == 1);
        var id = page.GetProperty("items")[0].GetProperty("id").GetString();
        return await Eventually.ReturnsAsync(
            async () => await (await Admin.Client.GetAsync($"/api/customers/{id}")).ReadJsonAsync(),
            c => until?.Invoke(c) ?? true);
    }

    public async Task<JsonElement[]> TimelineAsync(string customerId) =>
        (await (await Admin.Client.GetAsync($"/api/customers/{customerId}/timeline?limit=200")).ReadJsonAsync()).GetProperty("items").EnumerateArray().ToArray();
}
