using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Crm.Web.RealTime;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Crm.Tests.Analytics;

[Collection(EmbeddedWebCollection.Name)]
public sealed class LiveAnalyticsTests(EmbeddedWebFixture fixture)
{
    [Fact]
    public async Task A_supervisor_watching_the_dashboard_sees_the_kpis_move_after_a_batch()
    {
        var tenant = TestTenants.New();
        var admin = await fixture.Web.SignInAsync(tenant, Roles.Admin);
        var supervisor = await fixture.Web.SignInAsync(tenant, Roles.Supervisor);
        var source = await TestSource.CreateAsync(fixture.Web, admin);
        await using var hub = await fixture.Web.ConnectHubAsync(supervisor.Token);
        var updates = new Recorder<JsonElement>();
        hub.On<JsonElement>(HubMessages.KpisChanged, updates.Record);
        var before = await hub.InvokeAsync<JsonElement>("WatchDashboard");

        await source.SendAsync("batch", new
        {
            batch = Enumerable.Range(0, 10).Select(i => new { type = "track", userId = $"buyer-{i % 4}", @event = i % 2 == 0 ? "Product Viewed" : "Order Completed" }),
        });

        var moved = await Eventually.ReturnsAsync(
            async () => (await updates.WaitForAsync(1)).Last(),
            k => k.GetProperty("lastMinute").GetInt64() >= 10 + before.GetProperty("lastMinute").GetInt64());
        Assert.Equal(4, moved.GetProperty("activeCustomers5Minutes").GetInt32());
        Assert.Equal(4, moved.GetProperty("newCustomersToday").GetInt32());
        Assert.Equal([("Order Completed", 5), ("Product Viewed", 5)],
            moved.GetProperty("topEvents").EnumerateArray().Select(e => (e.GetProperty("name").GetString(), e.GetProperty("count").GetInt32())).Order());
        Assert.Contains(moved.GetProperty("lastMinuteByChannel").EnumerateArray(), c => c.GetProperty("name").GetString() == "order" && c.GetProperty("count").GetInt32() == 5);
        var live = await (await supervisor.Client.GetAsync("/api/analytics/live")).ReadJsonAsync();
        Assert.Equal(4, live.GetProperty("activeCustomers5Minutes").GetInt32());
    }

    [Fact]
    public async Task Counts_interactions_by_agent_and_channel_as_agents_log_them()
    {
        var tenant = TestTenants.New();
        var (agent, supervisor) = (await fixture.Web.SignInAsync(tenant), await fixture.Web.SignInAsync(tenant, Roles.Supervisor));
        var id = (await (await agent.Client.PostAsJsonAsync("/api/customers", new { displayName = "Busy Customer" })).ReadJsonAsync()).GetProperty("id").GetString();
        foreach (var channel in new[] { "call", "call", "email" })
        {
            await agent.Client.PostAsJsonAsync($"/api/customers/{id}/interactions", new { channel });
        }

        var kpis = await Eventually.ReturnsAsync(
            async () => await (await supervisor.Client.GetAsync("/api/analytics/live")).ReadJsonAsync(),
            k => k.GetProperty("interactionsByAgent").GetArrayLength() > 0 && k.GetProperty("interactionsByAgent")[0].GetProperty("count").GetInt32() == 3);
        Assert.Equal("Test agent", kpis.GetProperty("interactionsByAgent")[0].GetProperty("name").GetString());
        Assert.Equal([("call", 2), ("email", 1)], kpis.GetProperty("interactionsByChannel").EnumerateArray().Select(c => (c.GetProperty("name").GetString(), c.GetProperty("count").GetInt32())));
    }

    [Fact]
    public async Task Counts_events_when_they_happened_so_a_backfill_is_not_live_activity()
    {
        var tenant = TestTenants.New();
        var admin = await fixture.Web.SignInAsync(tenant, Roles.Admin);
        var source = await TestSource.CreateAsync(fixture.Web, admin);
        var lastWeek = DateTimeOffset.UtcNow.AddDays(-7);

        await source.SendAsync("batch", new
        {
            batch = Enumerable.Range(0, 5).Select(i => new { type = "track", userId = $"old-{i}", @event = "Order Completed", timestamp = lastWeek })
                .Append(new { type = "track", userId = "now-1", @event = "Order Completed", timestamp = DateTimeOffset.UtcNow }),
        });
        await source.CustomerAsync("old-4");

        var kpis = await Eventually.ReturnsAsync(
            async () => await (await admin.Client.GetAsync("/api/analytics/live")).ReadJsonAsync(),
            k => k.GetProperty("newCustomersToday").GetInt32() == 6);
        Assert.Equal(1, kpis.GetProperty("lastMinute").GetInt64());
        Assert.Equal(1, kpis.GetProperty("activeCustomers24Hours").GetInt32());
        Assert.Equal(1, kpis.GetProperty("totalToday").GetInt64());
        Assert.Equal([("Order Completed", 1)], kpis.GetProperty("topEvents").EnumerateArray().Select(e => (e.GetProperty("name").GetString(), e.GetProperty("count").GetInt32())));
    }

    [Fact]
    public async Task Agents_see_neither_the_kpis_nor_the_dashboard_stream()
    {
        var agent = await fixture.Web.SignInAsync(TestTenants.New());
        await using var hub = await fixture.Web.ConnectHubAsync(agent.Token);

        Assert.Equal(HttpStatusCode.Forbidden, (await agent.Client.GetAsync("/api/analytics/live")).StatusCode);
        await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<JsonElement>("WatchDashboard"));
    }
}
