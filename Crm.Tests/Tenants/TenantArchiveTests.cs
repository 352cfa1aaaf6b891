using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Crm.Web.Tenants;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Tests.Tenants;

/// <summary>A tenant exported from one deployment on PostgreSQL and imported into another, fresh one, is the same tenant.</summary>
public sealed class TenantArchiveTests : IAsyncLifetime
{
    private TestPostgres _from = null!;
    private TestPostgres _to = null!;

    public async Task InitializeAsync() => (_from, _to) = (await TestPostgres.CreateAsync(), await TestPostgres.CreateAsync());

    public async Task DisposeAsync()
    {
        await _from.DisposeAsync();
        await _to.DisposeAsync();
    }

    [Fact]
    public async Task Export_then_import_into_a_fresh_database_gives_the_same_customers_timelines_identities_users_and_templates()
    {
        var tenant = TestTenants.New();
        var archive = new MemoryStream();
        string[] ids;
        JsonElement[] before, timelinesBefore;
        string adminEmail, adminPassword;
        await using (var from = new CrmWebFactory(_from.ConnectionString, new Dictionary<string, string?> { ["Orleans:ClusterId"] = _from.Name }))
        {
            var admin = await from.SignInAsync(tenant, Roles.Admin);
            (adminEmail, adminPassword) = (admin.Email, admin.Password);
            var source = await TestSource.CreateAsync(from, admin);
            var ada = await CreateAsync(admin, new { displayName = "Ada Lovelace", emails = new[] { "ada@example.com" }, phones = new[] { "+442079460000" },
                company = "Engines", tags = new[] { "vip" }, attributes = new { plan = "pro", seats = 12 }, consent = new { email = "granted" } });
            var grace = await CreateAsync(admin, new { displayName = "Grace Hopper" });
            await admin.Client.PostAsJsonAsync($"/api/customers/{ada}/interactions", new { channel = "call", subject = "Renewal", durationSeconds = 300 });
            await admin.Client.PostAsJsonAsync($"/api/customers/{grace}/interactions", new { channel = "note", subject = "Met at a conference" });
            await source.SendAsync("batch", new { batch = new object[]
            {
                new { type = "identify", userId = "web-ada", traits = new { email = "ada@example.com", title = "Countess" } },
                new { type = "track", userId = "web-ada", @event = "Order Completed", properties = new { total = 99.5 } },
                new { type = "page", anonymousId = "visitor-7", name = "Pricing" },
            } });
            await Eventually.ReturnsAsync(async () => (await TimelineAsync(admin, ada)).Length, n => n == 2);
            await admin.Client.PutAsJsonAsync("/api/imports/templates/ERP", new { mapping = new Dictionary<string, string> { ["id"] = "externalId" } });
            ids = await Eventually.ReturnsAsync(() => IdsAsync(admin), list => list.Length == 3);
            before = await Task.WhenAll(ids.Select(id => GetAsync(admin, id)));
            timelinesBefore = await Task.WhenAll(ids.Select(id => TimelineJsonAsync(admin, id)));

            await from.Services.GetRequiredService<TenantArchive>().ExportAsync(tenant, archive, withPasswordHashes: true, CancellationToken.None);
        }

        archive.Position = 0;
        await using var to = new CrmWebFactory(_to.ConnectionString, new Dictionary<string, string?> { ["Orleans:ClusterId"] = _to.Name });
        to.StartServer();
        var result = await to.Services.GetRequiredService<TenantArchive>().ImportAsync(archive, CancellationToken.None);

        Assert.Equal((3, 1, 1, 4L), (result.Customers, result.Users, result.Templates, result.Interactions));
        Assert.Empty(result.NewPasswords);
        var token = await (await to.CreateClient().PostAsJsonAsync("/api/auth/token", new { username = adminEmail, password = adminPassword })).ReadJsonAsync();
        var client = to.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token.GetProperty("accessToken").GetString());
        var restored = new TestUser(tenant, "", adminEmail, adminPassword, "", client);
        Assert.Equal(ids, await Eventually.ReturnsAsync(() => IdsAsync(restored), list => list.Length == 3));
        for (var i = 0; i < ids.Length; i++)
        {
            Assert.Equal(before[i].GetRawText(), (await GetAsync(restored, ids[i])).GetRawText());
            Assert.Equal(timelinesBefore[i].GetRawText(), (await TimelineJsonAsync(restored, ids[i])).GetRawText());
        }

        Assert.Equal(["ERP"], (await (await client.GetAsync("/api/imports/templates")).ReadJsonAsync()).GetProperty("items").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        // The identity index came along: an event by the restored customer's email lands on it.
        var source2 = await TestSource.CreateAsync(to, restored);
        await source2.SendAsync("track", new { userId = "web-ada", @event = "Came Back" });
        var adaId = before.Single(c => c.GetProperty("displayName").GetString() == "Ada Lovelace").GetProperty("id").GetString()!;
        await Eventually.ReturnsAsync(async () => (await TimelineAsync(restored, adaId)).Length, n => n == 3);
        Assert.Equal(3, (await IdsAsync(restored)).Length);
    }

    private static async Task<string> CreateAsync(TestUser user, object profile)
    {
        var response = await user.Client.PostAsJsonAsync("/api/customers", profile);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("id").GetString()!;
    }

    private static async Task<string[]> IdsAsync(TestUser user) =>
        [.. (await (await user.Client.GetAsync("/api/customers?limit=50")).ReadJsonAsync()).GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).Order()];

    private static async Task<JsonElement> GetAsync(TestUser user, string id) => await (await user.Client.GetAsync($"/api/customers/{id}")).ReadJsonAsync();

    private static async Task<JsonElement> TimelineJsonAsync(TestUser user, string id) => await (await user.Client.GetAsync($"/api/customers/{id}/timeline?limit=50")).ReadJsonAsync();

    private static async Task<JsonElement[]> TimelineAsync(TestUser user, string id) => [.. (await TimelineJsonAsync(user, id)).GetProperty("items").EnumerateArray()];
}
