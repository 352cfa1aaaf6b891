using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Security;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Ingestion;

/// <summary>
/// Events, webhooks and imports land on the customer who already has their email, phone or external id, however that
/// customer was created or last edited: identities are claimed when set and released when removed.
/// </summary>
[Collection(EmbeddedWebCollection.Name)]
public sealed class IdentityResolutionTests(EmbeddedWebFixture fixture)
{
    [Fact]
    public async Task A_customer_created_in_the_api_receives_identify_track_and_webhooks_by_email_and_by_phone()
    {
        var admin = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Admin);
        var source = await TestSource.CreateAsync(fixture.Web, admin);
        var email = $"zed-{Guid.NewGuid():N}@example.com";
        var zed = await CreateAsync(admin, new { displayName = "Zed", emails = new[] { email }, phones = new[] { "+44 20 7946 0141" } });

        await SendAllByEmailAndPhoneAsync(source, email, "+442079460141", "web-zed");

        var customers = await Eventually.ReturnsAsync(() => ListAsync(admin), c => Timeline(admin, zed).Result.Length == 5);
        Assert.Equal([zed], customers);
        var profile = await GetAsync(admin, zed);
        Assert.Equal("Zed Zimmer", profile.GetProperty("displayName").GetString());
        Assert.Contains(profile.GetProperty("identities").EnumerateArray(), i => i.GetProperty("value").GetString() == "web-zed");
        Assert.Equal(["Call Ended", "Call Started", "Order Completed", "Order Placed", "Viewed Pricing"],
            (await Timeline(admin, zed)).Select(i => i.GetProperty("subject").GetString()).Order());
    }

    [Fact]
    public async Task A_customer_from_the_demo_seed_receives_events_by_its_email_and_phone()
    {
        await using var demo = new CrmWebFactory(settings: new Dictionary<string, string?> { ["Crm:Demo"] = null });
        var admin = await SignInAsync(demo, "admin@demo.local", "demo");
        var seeded = (await (await admin.GetAsync("/api/customers?query=%2B44207946&limit=1")).ReadJsonAsync()).GetProperty("items")[0];
        var id = seeded.GetProperty("id").GetString()!;
        var created = await (await admin.PostAsJsonAsync("/api/sources", new { name = "Web shop" })).ReadJsonAsync();
        var writeKey = created.GetProperty("writeKey").GetString()!;
        var client = demo.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{writeKey}:")));
        var before = (await (await admin.GetAsync($"/api/customers/{id}")).ReadJsonAsync()).GetProperty("activity").GetProperty("totalInteractions").GetInt64();

        await client.PostAsJsonAsync("/v1/track", new { userId = "demo-web-1", @event = "Order Completed", context = new { traits = new { email = seeded.GetProperty("primaryEmail").GetString() } } });
        await client.PostAsJsonAsync("/v1/track", new { anonymousId = "demo-anon-1", @event = "Order Completed", context = new { traits = new { phone = seeded.GetProperty("primaryPhone").GetString() } } });

        await Eventually.ReturnsAsync(
            async () => (await (await admin.GetAsync($"/api/customers/{id}")).ReadJsonAsync()).GetProperty("activity").GetProperty("totalInteractions").GetInt64(),
            total => total == before + 2);
        Assert.Equal(150, (await (await admin.GetAsync("/api/customers?limit=200")).ReadJsonAsync()).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Changing_or_removing_an_email_or_phone_moves_its_claim()
    {
        var admin = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Admin);
        var source = await TestSource.CreateAsync(fixture.Web, admin);
        var (old, renewed) = ($"old-{Guid.NewGuid():N}@example.com", $"new-{Guid.NewGuid():N}@example.com");
        var ada = await CreateAsync(admin, new { displayName = "Ada", emails = new[] { old }, phones = new[] { "+442079460000" } });
        await WebhookAsync(source, "o-1", new { email = old });
        await Eventually.ReturnsAsync(() => Timeline(admin, ada), t => t.Length == 1);

        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/customers/{ada}") { Content = JsonContent.Create(new { emails = new[] { renewed }, phones = Array.Empty<string>() }) };
        Assert.Equal(HttpStatusCode.OK, (await admin.Client.SendAsync(patch)).StatusCode);
        var grace = await CreateAsync(admin, new { displayName = "Grace", emails = new[] { old } });
        await WebhookAsync(source, "o-2", new { email = renewed });
        await WebhookAsync(source, "o-3", new { email = old });
        await WebhookAsync(source, "o-4", new { phone = "+442079460000" });

        await Eventually.ReturnsAsync(() => ListAsync(admin), c => c.Length == 3);
        Assert.Equal(["o-1", "o-2"], (await Eventually.ReturnsAsync(() => Timeline(admin, ada), t => t.Length == 2)).Select(Order).Order());
        Assert.Equal(["o-3"], (await Eventually.ReturnsAsync(() => Timeline(admin, grace), t => t.Length == 1)).Select(Order));
        var third = Assert.Single(await ListAsync(admin), id => id != ada && id != grace);
        Assert.Equal(["o-4"], (await Eventually.ReturnsAsync(() => Timeline(admin, third), t => t.Length == 1)).Select(Order));
    }

    [Fact]
    public async Task An_external_id_is_a_user_id_events_find_and_two_customers_cannot_share_one()
    {
        var admin = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Admin);
        var source = await TestSource.CreateAsync(fixture.Web, admin);
        var erp = await CreateAsync(admin, new { displayName = "From the ERP", externalId = "erp-1001" });

        var taken = await admin.Client.PostAsJsonAsync("/api/customers", new { displayName = "Someone else", externalId = "erp-1001" });
        var junk = await admin.Client.PostAsJsonAsync("/api/customers", new { displayName = "Nobody", externalId = "null" });
        await source.SendAsync("track", new { userId = "erp-1001", @event = "Invoice Paid" });

        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.NotEmpty(await taken.ErrorsForAsync("externalId"));
        Assert.Equal(erp, (await taken.ReadJsonAsync()).GetProperty("customerId").GetString());
        Assert.NotEmpty(await junk.ErrorsForAsync("externalId"));
        Assert.Single(await Eventually.ReturnsAsync(() => Timeline(admin, erp), t => t.Length == 1));
        Assert.Equal([erp], await ListAsync(admin));
    }

    /// <summary>Every way an integration names a person by email or phone: identify and track with a new user id, a webhook, an anonymous visitor.</summary>
    private async Task SendAllByEmailAndPhoneAsync(TestSource source, string email, string phone, string userId)
    {
        Assert.Equal(HttpStatusCode.OK, (await source.SendAsync("identify", new { userId, traits = new { email, name = "Zed Zimmer" } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await source.SendAsync("track", new { userId, @event = "Order Completed" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await source.SendAsync("page", new { anonymousId = $"anon-{Guid.NewGuid():N}", name = "Pricing", context = new { traits = new { phone } } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await WebhookAsync(source, "c-1", new { email }, "call.started")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await WebhookAsync(source, "c-1", new { phone }, "call.ended")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await WebhookAsync(source, "o-1", new { email = email.ToUpperInvariant() })).StatusCode);
    }

    private Task<HttpResponseMessage> WebhookAsync(TestSource source, string id, object customer, string type = "order.placed") =>
        source.SendWebhookAsync(fixture.Web.CreateClient(), type == "order.placed"
            ? new { type, id, customer, order = new { total = 10, currency = "EUR" } }
            : new { type, id, customer, call = new { direction = "inbound" } });

    private static string Order(JsonElement interaction) => interaction.GetProperty("externalId").GetString()!.Split(':')[1];

    private static async Task<string> CreateAsync(TestUser user, object profile)
    {
        var response = await user.Client.PostAsJsonAsync("/api/customers", profile);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> GetAsync(TestUser user, string id) => await (await user.Client.GetAsync($"/api/customers/{id}")).ReadJsonAsync();

    private static async Task<string[]> ListAsync(TestUser user) =>
        [.. (await (await user.Client.GetAsync("/api/customers?limit=200")).ReadJsonAsync()).GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetString()!)];

    private static async Task<JsonElement[]> Timeline(TestUser user, string id) =>
        (await (await user.Client.GetAsync($"/api/customers/{id}/timeline?limit=200")).ReadJsonAsync()).GetProperty("items").EnumerateArray().ToArray();

    private static async Task<HttpClient> SignInAsync(CrmWebFactory web, string username, string password)
    {
        var token = await (await web.CreateClient().PostAsJsonAsync("/api/auth/token", new { username, password })).ReadJsonAsync();
        var client = web.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());
        return client;
    }
}
