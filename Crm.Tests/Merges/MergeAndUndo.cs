using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Crm.Web.RealTime;
using Microsoft.AspNetCore.SignalR.Client;

namespace Crm.Tests.Merges;

/// <summary>
/// Three records of one person merged and the merge undone, as a supervisor does it through the API, with an agent
/// watching one of them and the web site sending events by email before, during and after. Run in each mode.
/// </summary>
public static class MergeAndUndo
{
    public static async Task RunAsync(CrmWebFactory web)
    {
        var tenant = TestTenants.New();
        var (supervisor, agent) = (await web.SignInAsync(tenant, Roles.Supervisor), await web.SignInAsync(tenant));
        var source = await TestSource.CreateAsync(web, await web.SignInAsync(tenant, Roles.Admin));
        var ada = await CreateAsync(supervisor, new { givenName = "Ada", familyName = "Lovelace", emails = new[] { "ada@analytical.example" }, tags = new[] { "vip" } });
        var countess = await CreateAsync(supervisor, new { givenName = "Ada", familyName = "Lovelace", emails = new[] { "countess@lovelace.example" }, company = "Analytical Engines", phones = new[] { "+44 20 7946 0141" } });
        var typo = await CreateAsync(supervisor, new { givenName = "Adda", familyName = "Lovelace", jobTitle = "Mathematician" });
        await LogAsync(supervisor, ada, "ada 1", "ada 2");
        await LogAsync(supervisor, countess, "countess 1", "countess 2");
        await LogAsync(supervisor, typo, "typo 1");
        await source.SendAsync("track", new { anonymousId = "visitor-1", @event = "Viewed Pricing", context = new { traits = new { email = "countess@lovelace.example" } } });
        await Eventually.ReturnsAsync(() => TotalAsync(supervisor, countess), total => total == 3);

        await using var hub = await web.ConnectHubAsync(agent.Token);
        var watched = new Recorder<JsonElement>();
        hub.On<JsonElement>(HubMessages.CustomerMerged, watched.Record);
        await hub.InvokeAsync<long>("WatchCustomer", countess, null);

        var request = new { survivorId = ada, mergedIds = new[] { countess, typo }, fields = new Dictionary<string, string> { ["company"] = countess, ["jobTitle"] = typo, ["displayName"] = ada } };
        var preview = await (await supervisor.Client.PostAsJsonAsync("/api/merges/preview", request)).ReadJsonAsync();
        Assert.Equal("Analytical Engines", preview.GetProperty("survivor").GetProperty("company").GetString());
        Assert.Equal(6, preview.GetProperty("interactions").GetInt64());
        Assert.Equal(HttpStatusCode.OK, (await supervisor.Client.GetAsync($"/api/customers/{countess}")).StatusCode);

        var merged = await supervisor.Client.PostAsJsonAsync("/api/merges", request);
        var merge = await merged.ReadJsonAsync();
        var mergeId = merge.GetProperty("id").GetString()!;

        Assert.Equal(HttpStatusCode.Created, merged.StatusCode);
        Assert.Equal("completed", merge.GetProperty("status").GetString());
        var survivor = await GetAsync(supervisor, ada);
        Assert.Equal("Analytical Engines", survivor.GetProperty("company").GetString());
        Assert.Equal("Mathematician", survivor.GetProperty("jobTitle").GetString());
        Assert.Equal(["ada@analytical.example", "countess@lovelace.example"], survivor.GetProperty("emails").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(6, survivor.GetProperty("activity").GetProperty("totalInteractions").GetInt64());
        Assert.Equal(["ada 1", "ada 2", "countess 1", "countess 2", "typo 1", "Viewed Pricing"], (await SubjectsAsync(supervisor, ada)).Order());
        var redirect = await Unfollowed(web, supervisor).GetAsync($"/api/customers/{countess}");
        Assert.Equal(HttpStatusCode.PermanentRedirect, redirect.StatusCode);
        Assert.Equal($"/api/customers/{ada}", redirect.Headers.Location?.OriginalString);
        var told = Assert.Single(await watched.WaitForAsync(1));
        Assert.Equal((countess, ada), (told.GetProperty("id").GetString(), told.GetProperty("survivorId").GetString()));

        // What happens to the survivor after the merge stays with it, whoever it was meant for.
        await LogAsync(agent, ada, "after the merge");
        await source.SendAsync("track", new { anonymousId = "visitor-2", @event = "Order Completed", context = new { traits = new { email = "countess@lovelace.example" } } });
        await Eventually.ReturnsAsync(() => TotalAsync(supervisor, ada), total => total == 8);

        var undone = await supervisor.Client.PostAsync($"/api/merges/{mergeId}/undo", null);
        var undo = await undone.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, undone.StatusCode);
        Assert.Equal("undone", undo.GetProperty("status").GetString());
        Assert.Equal(["ada 1", "ada 2", "after the merge", "Order Completed"], (await SubjectsAsync(supervisor, ada)).Order());
        Assert.Equal(["countess 1", "countess 2", "Viewed Pricing"], (await SubjectsAsync(supervisor, countess)).Order());
        Assert.Equal(["typo 1"], await SubjectsAsync(supervisor, typo));
        var restored = await GetAsync(supervisor, ada);
        Assert.False(restored.TryGetProperty("company", out _));
        Assert.Equal(["ada@analytical.example"], restored.GetProperty("emails").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(4, restored.GetProperty("activity").GetProperty("totalInteractions").GetInt64());
        var countessAgain = await GetAsync(supervisor, countess);
        Assert.Equal("Analytical Engines", countessAgain.GetProperty("company").GetString());
        Assert.Equal(3, countessAgain.GetProperty("activity").GetProperty("totalInteractions").GetInt64());
        Assert.Equal("Mathematician", (await GetAsync(supervisor, typo)).GetProperty("jobTitle").GetString());

        // The identities went back with their customers: the email finds the countess again.
        await source.SendAsync("track", new { anonymousId = "visitor-3", @event = "Signed Up", context = new { traits = new { email = "countess@lovelace.example" } } });
        await Eventually.ReturnsAsync(() => TotalAsync(supervisor, countess), total => total == 4);
        Assert.Equal(4, await TotalAsync(supervisor, ada));
        var found = await (await supervisor.Client.GetAsync("/api/customers?query=lovelace")).ReadJsonAsync();
        Assert.Equal(3, found.GetProperty("items").GetArrayLength());

        var audit = await (await supervisor.Client.GetAsync($"/api/merges?customerId={countess}")).ReadJsonAsync();
        var entry = Assert.Single(audit.GetProperty("items").EnumerateArray());
        Assert.Equal(mergeId, entry.GetProperty("id").GetString());
        Assert.Equal(supervisor.Id, entry.GetProperty("mergedBy").GetProperty("id").GetString());
        Assert.Equal(supervisor.Id, entry.GetProperty("undoneBy").GetProperty("id").GetString());
        Assert.Equal([ada, countess, typo], entry.GetProperty("before").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        var again = await supervisor.Client.PostAsync($"/api/merges/{mergeId}/undo", null);
        Assert.Equal((HttpStatusCode.OK, "undone"), (again.StatusCode, (await again.ReadJsonAsync()).GetProperty("status").GetString()));
        Assert.Equal(4, await TotalAsync(supervisor, ada));
    }

    public static async Task<string> CreateAsync(TestUser user, object profile)
    {
        var created = await user.Client.PostAsJsonAsync("/api/customers", profile);
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        return (await created.ReadJsonAsync()).GetProperty("id").GetString()!;
    }

    public static async Task LogAsync(TestUser user, string customerId, params string[] subjects)
    {
        foreach (var subject in subjects)
        {
            var logged = await user.Client.PostAsJsonAsync($"/api/customers/{customerId}/interactions", new { channel = "call", subject });
            Assert.True(logged.IsSuccessStatusCode, await logged.Content.ReadAsStringAsync());
        }
    }

    public static async Task<JsonElement> GetAsync(TestUser user, string customerId) =>
        await (await user.Client.GetAsync($"/api/customers/{customerId}")).ReadJsonAsync();

    /// <summary>A client that shows redirects instead of following them.</summary>
    public static HttpClient Unfollowed(CrmWebFactory web, TestUser user)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = web.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
        return client;
    }

    private static async Task<long> TotalAsync(TestUser user, string customerId) =>
        (await GetAsync(user, customerId)).GetProperty("activity").GetProperty("totalInteractions").GetInt64();

    /// <summary>The subjects on a customer's timeline, newest first.</summary>
    public static async Task<string[]> SubjectsAsync(TestUser user, string customerId) =>
        [.. (await (await user.Client.GetAsync($"/api/customers/{customerId}/timeline?limit=100")).ReadJsonAsync())
            .GetProperty("items").EnumerateArray().Select(i => i.GetProperty("subject").GetString()!)];
}
