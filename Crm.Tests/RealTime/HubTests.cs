using System.Net.Http.Json;
using System.Text.Json;
using Crm.Tests.Infrastructure;
using Crm.Web.RealTime;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Tests.RealTime;

/// <summary>The hub through a real SignalR client over WebSockets, with changes made by other users through the API.</summary>
[Collection(EmbeddedWebCollection.Name)]
public sealed class HubTests(EmbeddedWebFixture fixture)
{
    private CrmWebFactory Web => fixture.Web;

    [Fact]
    public async Task An_interaction_logged_by_one_user_reaches_an_agent_watching_the_customer()
    {
        var tenant = TestTenants.New();
        var (watcher, colleague) = (await Web.SignInAsync(tenant), await Web.SignInAsync(tenant));
        var id = await CreateCustomerAsync(colleague);
        await using var hub = await Web.ConnectHubAsync(watcher.Token);
        var messages = Listen(hub);
        var upTo = await hub.InvokeAsync<long>("WatchCustomer", id, null);

        var posted = await (await colleague.Client.PostAsJsonAsync($"/api/customers/{id}/interactions", new { channel = "call", subject = "Hello" })).ReadJsonAsync();
        var (name, message) = Assert.Single(await messages.WaitForAsync(1));

        Assert.Equal(1, upTo);
        Assert.Equal(HubMessages.InteractionAdded, name);
        Assert.Equal(posted.GetProperty("id").GetGuid(), message.GetProperty("id").GetGuid());
        Assert.Equal(2, message.GetProperty("sequence").GetInt64());
        Assert.Equal("Hello", message.GetProperty("subject").GetString());
        Assert.Equal(id, message.GetProperty("customerId").GetString());
    }

    [Fact]
    public async Task A_profile_edit_and_a_deletion_reach_watchers()
    {
        var tenant = TestTenants.New();
        var (watcher, supervisor) = (await Web.SignInAsync(tenant), await Web.SignInAsync(tenant, Crm.Security.Roles.Supervisor));
        var id = await CreateCustomerAsync(supervisor);
        await using var hub = await Web.ConnectHubAsync(watcher.Token);
        var messages = Listen(hub);
        await hub.InvokeAsync<long>("WatchCustomer", id, 1L);

        await supervisor.Client.PatchAsJsonAsync($"/api/customers/{id}", new { company = "Navy" });
        await supervisor.Client.DeleteAsync($"/api/customers/{id}");
        var received = await messages.WaitForAsync(2);

        Assert.Equal([HubMessages.CustomerChanged, HubMessages.CustomerDeleted], received.Select(m => m.Name));
        Assert.Equal("Navy", received[0].Message.GetProperty("company").GetString());
        Assert.Equal([2, 3], received.Select(m => m.Message.GetProperty("sequence").GetInt64()));
    }

    [Fact]
    public async Task A_watcher_that_reconnects_gets_what_it_missed_then_live_changes_once_each()
    {
        var tenant = TestTenants.New();
        var (watcher, colleague) = (await Web.SignInAsync(tenant), await Web.SignInAsync(tenant));
        var id = await CreateCustomerAsync(colleague);
        long lastSeen;
        await using (var first = await Web.ConnectHubAsync(watcher.Token))
        {
            var before = Listen(first);
            await first.InvokeAsync<long>("WatchCustomer", id, 1L);
            await LogAsync(colleague, id, "seen");
            lastSeen = (await before.WaitForAsync(1))[0].Message.GetProperty("sequence").GetInt64();
        }

        // While the agent is away: two interactions and two edits, the first superseded by the second.
        await LogAsync(colleague, id, "missed 1");
        await colleague.Client.PatchAsJsonAsync($"/api/customers/{id}", new { company = "Superseded" });
        await LogAsync(colleague, id, "missed 2");
        await colleague.Client.PatchAsJsonAsync($"/api/customers/{id}", new { company = "Current" });

        await using var second = await Web.ConnectHubAsync(watcher.Token);
        var after = Listen(second);
        var upTo = await second.InvokeAsync<long>("WatchCustomer", id, lastSeen);
        await LogAsync(colleague, id, "live");
        await after.WaitForAsync(4);
        var received = await after.DrainAsync(TimeSpan.FromMilliseconds(300));

        Assert.Equal(6, upTo);
        Assert.Equal([3, 5, 6, 7], received.Select(m => m.Message.GetProperty("sequence").GetInt64()));
        Assert.Equal(["missed 1", "missed 2", "live"], received.Where(m => m.Name == HubMessages.InteractionAdded).Select(m => m.Message.GetProperty("subject").GetString()));
        Assert.Equal("Current", received.Single(m => m.Name == HubMessages.CustomerChanged).Message.GetProperty("company").GetString());
    }

    [Fact]
    public async Task A_change_the_customer_did_not_publish_reaches_watchers_when_the_watch_is_renewed()
    {
        await using var web = new CrmWebFactory(settings: new Dictionary<string, string?> { ["Crm:Customers:WatchLease"] = "00:00:01" });
        var tenant = TestTenants.New();
        var (watcher, colleague) = (await web.SignInAsync(tenant), await web.SignInAsync(tenant));
        var id = await CreateCustomerAsync(colleague);
        await using var hub = await web.ConnectHubAsync(watcher.Token);
        var messages = Listen(hub);
        await hub.InvokeAsync<long>("WatchCustomer", id, null);

        // The lease runs out unrenewed, as when a node's renewals fail: the customer stops publishing.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await LogAsync(colleague, id, "unpublished");
        Assert.Empty(await messages.DrainAsync(TimeSpan.FromMilliseconds(500)));

        await web.Services.GetRequiredService<CustomerFeed>().RenewAsync();
        Assert.Equal("unpublished", (await messages.WaitForAsync(1))[0].Message.GetProperty("subject").GetString());
        await LogAsync(colleague, id, "live");
        var received = await messages.WaitForAsync(2);

        Assert.Equal(["unpublished", "live"], received.Select(m => m.Message.GetProperty("subject").GetString()));
        Assert.Equal([2, 3], received.Select(m => m.Message.GetProperty("sequence").GetInt64()));
    }

    [Fact]
    public async Task Watchers_of_a_customer_share_one_subscription_that_ends_with_the_last_of_them()
    {
        var tenant = TestTenants.New();
        var (a, b) = (await Web.SignInAsync(tenant), await Web.SignInAsync(tenant));
        var id = await CreateCustomerAsync(a);
        var feed = Web.Services.GetRequiredService<CustomerFeed>();
        await using var hubA = await Web.ConnectHubAsync(a.Token);
        await using var hubB = await Web.ConnectHubAsync(b.Token);
        var messagesB = Listen(hubB);
        await hubA.InvokeAsync<long>("WatchCustomer", id, null);
        await hubB.InvokeAsync<long>("WatchCustomer", id, null);
        Assert.True(feed.IsWatched(Key(a.Tenant, id)));

        await hubA.InvokeAsync("UnwatchCustomer", id);
        await LogAsync(a, id, "after A left");
        await messagesB.WaitForAsync(1);
        await hubB.StopAsync();

        await WaitUntilAsync(() => !feed.IsWatched(Key(a.Tenant, id)));
    }

    [Fact]
    public async Task Another_tenant_can_neither_watch_nor_tell_whether_the_customer_exists()
    {
        var owner = await Web.SignInAsync(TestTenants.New());
        var stranger = await Web.SignInAsync(TestTenants.New());
        var id = await CreateCustomerAsync(owner);
        await using var hub = await Web.ConnectHubAsync(stranger.Token);

        var existing = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<long>("WatchCustomer", id, null));
        var missing = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<long>("WatchCustomer", "no-such-customer", null));

        Assert.Equal(missing.Message.Replace("no-such-customer", id), existing.Message);
    }

    [Fact]
    public async Task Refuses_a_connection_without_a_token()
    {
        await Assert.ThrowsAsync<HttpRequestException>(() => Web.ConnectHubAsync(token: null));
    }

    private static Recorder<(string Name, JsonElement Message)> Listen(HubConnection hub)
    {
        var recorder = new Recorder<(string, JsonElement)>();
        foreach (var name in new[] { HubMessages.InteractionAdded, HubMessages.CustomerChanged, HubMessages.CustomerDeleted })
        {
            hub.On<JsonElement>(name, message => recorder.Record((name, message)));
        }

        return recorder;
    }

    private static async Task<string> CreateCustomerAsync(TestUser user)
    {
        var response = await user.Client.PostAsJsonAsync("/api/customers", new { displayName = "Grace Hopper" });
        response.EnsureSuccessStatusCode();
        return (await response.ReadJsonAsync()).GetProperty("id").GetString()!;
    }

    private static async Task LogAsync(TestUser user, string id, string subject) =>
        (await user.Client.PostAsJsonAsync($"/api/customers/{id}/interactions", new { channel = "chat", subject })).EnsureSuccessStatusCode();

    private static Crm.Customers.CustomerKey Key(string tenant, string id) => new(tenant, id);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Recorder<int>.DefaultTimeout);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
