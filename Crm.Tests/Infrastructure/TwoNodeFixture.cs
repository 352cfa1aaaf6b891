using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Crm.Tests.Infrastructure;

/// <summary>
/// Two Crm.Web processes on one PostgreSQL database, each co-hosting a silo of the same cluster: what "any web node
/// serves any user" means when a load balancer spreads requests over nodes.
/// </summary>
public sealed class TwoNodeFixture : IAsyncLifetime
{
    public const string Tenant = "acme";
    public const string AdminEmail = "admin@acme.test";
    public const string AdminPassword = "two nodes, one cluster";

    private TestPostgres _database = null!;

    public WebProcess[] Nodes { get; private set; } = [];

    public async Task InitializeAsync()
    {
        _database = await TestPostgres.CreateAsync();
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__crm"] = _database.ConnectionString,
            ["Orleans__ClusterId"] = _database.Name,
            ["Orleans__ServiceId"] = _database.Name,
            ["Crm__Bootstrap__Tenant"] = Tenant,
            ["Crm__Bootstrap__AdminEmail"] = AdminEmail,
            ["Crm__Bootstrap__AdminPassword"] = AdminPassword,
        };
        // One after the other: the first migrates the schema and bootstraps the tenant.
        var first = await WebProcess.StartAsync(Ports(environment));
        Nodes = [first, await WebProcess.StartAsync(Ports(environment))];
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await _database.ScalarAsync<long>("SELECT count(*) FROM orleansmembershiptable WHERE deploymentid = $1 AND status = 3", _database.Name) < 2)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The two silos did not form a cluster:\n" + string.Join("\n---\n", Nodes.Select(n => n.Output)));
            }

            await Task.Delay(200);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            node.Dispose();
        }

        await _database.DisposeAsync();
    }

    /// <summary>The tenant's admin, signed in through the given node.</summary>
    public async Task<HttpClient> AdminAsync(int node) => await SignInAsync(node, AdminEmail, AdminPassword);

    public async Task<HttpClient> SignInAsync(int node, string email, string password)
    {
        var client = new HttpClient { BaseAddress = Nodes[node].Address };
        var token = await (await client.PostAsJsonAsync("/api/auth/token", new { username = email, password })).ReadJsonAsync();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());
        return client;
    }

    /// <summary>A new source of the tenant, and a client sending with its write key to each node.</summary>
    public async Task<(Guid Id, HttpClient[] Senders)> SourceAsync(string name)
    {
        var created = await (await (await AdminAsync(0)).PostAsJsonAsync("/api/sources", new { name })).ReadJsonAsync();
        var basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{created.GetProperty("writeKey").GetString()}:")));
        return (created.GetProperty("id").GetGuid(), [.. Nodes.Select(n => new HttpClient { BaseAddress = n.Address, DefaultRequestHeaders = { Authorization = basic } })]);
    }

    public async Task<long> ScalarAsync(string sql, params object[] parameters) => await _database.ScalarAsync<long>(sql, parameters);

    private static Dictionary<string, string> Ports(Dictionary<string, string> environment) => new(environment)
    {
        ["Orleans__Endpoints__SiloPort"] = FreePorts.Next().ToString(),
        ["Orleans__Endpoints__GatewayPort"] = FreePorts.Next().ToString(),
    };
}

[CollectionDefinition(Name)]
public sealed class TwoNodeCollection : ICollectionFixture<TwoNodeFixture>
{
    public const string Name = "Two web nodes";
}

public static class HttpResponses
{
    public static async Task<JsonElement> SucceededAsync(this Task<HttpResponseMessage> sending)
    {
        var response = await sending;
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response.StatusCode == HttpStatusCode.NoContent ? default : await response.ReadJsonAsync();
    }
}
