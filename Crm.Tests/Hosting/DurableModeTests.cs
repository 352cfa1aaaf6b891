using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Hosting;

/// <summary>Crm.Web on PostgreSQL, as `dotnet run` with ConnectionStrings__crm runs it.</summary>
public sealed class DurableModeTests : IAsyncLifetime
{
    private const string AdminEmail = "first.admin@acme.test";
    private const string AdminPassword = "bootstrap password 1";
    private TestPostgres _database = null!;

    public async Task InitializeAsync() => _database = await TestPostgres.CreateAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Bootstraps_the_first_admin_and_keeps_everything_across_a_full_restart()
    {
        string id, token;
        await using (var web = Web(Bootstrap))
        {
            var admin = await SignInAsync(web, AdminEmail, AdminPassword);
            token = admin.DefaultRequestHeaders.Authorization!.Parameter!;
            var created = await admin.PostAsJsonAsync("/api/customers", new { displayName = "Ada Lovelace", emails = new[] { "ada@example.com" } });
            id = (await created.ReadJsonAsync()).GetProperty("id").GetString()!;
            await admin.PostAsJsonAsync($"/api/customers/{id}/interactions", new { channel = "call", subject = "first call", externalId = "pbx-1" });
            await admin.PatchAsJsonAsync($"/api/customers/{id}", new { company = "Analytical Engines" });
        }

        await using (var restarted = Web(Bootstrap))
        {
            // The signing key is shared through the database: a token issued before the restart still works.
            var client = restarted.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var customer = await (await client.GetAsync($"/api/customers/{id}")).ReadJsonAsync();
            var timeline = await (await client.GetAsync($"/api/customers/{id}/timeline")).ReadJsonAsync();
            var search = await (await client.GetAsync("/api/customers?query=analytical")).ReadJsonAsync();
            var retry = await client.PostAsJsonAsync($"/api/customers/{id}/interactions", new { channel = "call", subject = "retried", externalId = "pbx-1" });
            var users = await (await client.GetAsync("/api/users")).ReadJsonAsync();

            Assert.Equal("Analytical Engines", customer.GetProperty("company").GetString());
            Assert.Equal(3, customer.GetProperty("sequence").GetInt64());
            Assert.Equal("first call", Assert.Single(timeline.GetProperty("items").EnumerateArray()).GetProperty("subject").GetString());
            Assert.Equal(id, Assert.Single(search.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
            Assert.Single(users.GetProperty("items").EnumerateArray());
        }
    }

    [Fact]
    public async Task Has_no_built_in_account_and_seeds_no_demo_by_default()
    {
        await using var web = Web();

        var demo = await web.CreateClient().PostAsJsonAsync("/api/auth/token", new { username = "admin@demo.local", password = "demo" });
        var ready = await web.CreateClient().GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.Unauthorized, demo.StatusCode);
        Assert.Equal(0L, await _database.ScalarAsync<long>("SELECT count(*) FROM crm_tenants"));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Seeds_the_demo_tenant_on_request_once_however_often_it_starts()
    {
        var settings = new Dictionary<string, string?> { ["Crm:Demo"] = "true", ["Crm:DemoPassword"] = "demo password 1" };
        await using (var web = Web(settings))
        {
            var agent = await SignInAsync(web, "agent@demo.local", "demo password 1");
            var page = await (await agent.GetAsync("/api/customers?limit=200")).ReadJsonAsync();
            Assert.Equal(150, page.GetProperty("items").GetArrayLength());
        }

        var interactions = await _database.ScalarAsync<long>("SELECT count(*) FROM crm_timeline WHERE tenant_id = 'demo'");
        await using (var again = Web(settings))
        {
            await SignInAsync(again, "agent@demo.local", "demo password 1");
        }

        Assert.True(interactions > 1000);
        Assert.Equal(interactions, await _database.ScalarAsync<long>("SELECT count(*) FROM crm_timeline WHERE tenant_id = 'demo'"));
        Assert.Equal(150L, await _database.ScalarAsync<long>("SELECT count(*) FROM crm_customers WHERE tenant_id = 'demo'"));
    }

    private static readonly Dictionary<string, string?> Bootstrap = new()
    {
        ["Crm:Bootstrap:Tenant"] = "acme",
        ["Crm:Bootstrap:AdminEmail"] = AdminEmail,
        ["Crm:Bootstrap:AdminPassword"] = AdminPassword,
    };

    private CrmWebFactory Web(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var web = new CrmWebFactory(_database.ConnectionString, settings);
        web.StartServer();
        return web;
    }

    private static async Task<HttpClient> SignInAsync(CrmWebFactory web, string username, string password)
    {
        var response = await web.CreateClient().PostAsJsonAsync("/api/auth/token", new { username, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var client = web.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await response.ReadJsonAsync()).GetProperty("accessToken").GetString());
        return client;
    }
}
