using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Customers;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Crm.Timeline;
using Crm.Web.RealTime;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Tests.RealTime;

/// <summary>Access taken away ends at once: open connections close, keys stop working; and one watcher cannot hold up the others.</summary>
[Collection(EmbeddedWebCollection.Name)]
public sealed class RevocationTests(EmbeddedWebFixture fixture)
{
    private CrmWebFactory Web => fixture.Web;

    [Fact]
    public async Task Disabling_a_user_closes_their_open_connection_at_once()
    {
        var tenant = TestTenants.New();
        var (agent, admin) = (await Web.SignInAsync(tenant), await Web.SignInAsync(tenant, Roles.Admin));
        var id = await CreateCustomerAsync(admin);
        await using var hub = await Web.ConnectHubAsync(agent.Token);
        var closed = Closed(hub);
        await hub.InvokeAsync<long>("WatchCustomer", id, null);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.DeleteAsync($"/api/users/{agent.Id}")).StatusCode);

        await closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HubConnectionState.Disconnected, hub.State);
        Assert.Equal(HttpStatusCode.Unauthorized, (await agent.Client.GetAsync($"/api/customers/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_connection_closes_when_its_token_expires()
    {
        await using var web = new CrmWebFactory(settings: new Dictionary<string, string?> { ["Crm:Auth:TokenLifetime"] = "00:00:03" });
        var agent = await web.SignInAsync(TestTenants.New());
        await using var hub = await web.ConnectHubAsync(agent.Token);

        await Closed(hub).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HubConnectionState.Disconnected, hub.State);
    }

    [Fact]
    public async Task A_connection_watches_a_bounded_number_of_customers()
    {
        await using var web = new CrmWebFactory(settings: new Dictionary<string, string?> { ["Crm:Hub:MaxWatchedCustomers"] = "2" });
        var agent = await web.SignInAsync(TestTenants.New());
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await CreateCustomerAsync(agent));
        }

        await using var hub = await web.ConnectHubAsync(agent.Token);
        await hub.InvokeAsync<long>("WatchCustomer", ids[0], null);
        await hub.InvokeAsync<long>("WatchCustomer", ids[1], null);

        var refused = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<long>("WatchCustomer", ids[2], null));
        Assert.Contains("at most 2", refused.Message);
        await hub.InvokeAsync("UnwatchCustomer", ids[0]);
        await hub.InvokeAsync<long>("WatchCustomer", ids[2], null);
    }

    [Fact]
    public async Task A_watcher_catching_up_on_a_long_history_does_not_hold_up_the_live_watchers_of_the_customer()
    {
        var tenant = TestTenants.New();
        var (live, late) = (await Web.SignInAsync(tenant), await Web.SignInAsync(tenant));
        var id = await CreateCustomerAsync(live);
        var grain = Web.Services.GetRequiredService<IGrainFactory>().GetGrain<ICustomerGrain>(new CustomerKey(tenant, id).ToString());
        for (var i = 0; i < 1000; i++)
        {
            await grain.AddInteractionAsync(new NewInteraction { Channel = InteractionChannel.Note, Subject = $"History {i}", Body = new string('x', 30_000), OccurredAt = DateTimeOffset.UtcNow });
        }

        await using var liveHub = await Web.ConnectHubAsync(live.Token);
        var liveMessages = new Recorder<JsonElement>();
        liveHub.On<JsonElement>(HubMessages.InteractionAdded, liveMessages.Record);
        await liveHub.InvokeAsync<long>("WatchCustomer", id, null);
        // The late watcher asks for the whole history, reads the first of it, then stops reading altogether: the
        // server's sends to it stall once the buffers between them are full.
        using var stalled = await StalledWatcherAsync(late.Token, id);

        await live.Client.PostAsJsonAsync($"/api/customers/{id}/interactions", new { channel = "call", subject = "Live meanwhile" });

        var received = Assert.Single(await liveMessages.WaitForAsync(1));
        Assert.Equal("Live meanwhile", received.GetProperty("subject").GetString());
    }

    /// <summary>A hub client speaking SignalR's JSON protocol over a bare WebSocket, so that the test decides when it reads.</summary>
    private async Task<System.Net.WebSockets.ClientWebSocket> StalledWatcherAsync(string token, string customerId)
    {
        var socket = new System.Net.WebSockets.ClientWebSocket();
        var address = new UriBuilder(new Uri(Web.BaseAddress, "/hubs/crm")) { Scheme = "ws", Query = $"access_token={Uri.EscapeDataString(token)}" }.Uri;
        await socket.ConnectAsync(address, CancellationToken.None);
        async Task SendAsync(string frame) =>
            await socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(frame + "\u001e"), System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[64 * 1024];
        await SendAsync("""{"protocol":"json","version":1}""");
        await socket.ReceiveAsync(buffer, CancellationToken.None);
        await SendAsync($$"""{"type":1,"invocationId":"1","target":"WatchCustomer","arguments":["{{customerId}}",0]}""");
        var history = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.StartsWith("{\"type\":1,", System.Text.Encoding.UTF8.GetString(buffer, 0, history.Count));
        return socket;
    }

    private static Task Closed(HubConnection hub)
    {
        var closed = new TaskCompletionSource();
        hub.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        return closed.Task;
    }

    private static async Task<string> CreateCustomerAsync(TestUser user)
    {
        var response = await user.Client.PostAsJsonAsync("/api/customers", new { displayName = "Watched" });
        return (await response.ReadJsonAsync()).GetProperty("id").GetString()!;
    }
}
