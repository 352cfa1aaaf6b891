using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Crm.Tests.Merges;
using Crm.Web.RealTime;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Tests.Analytics;

/// <summary>A tenant's value segments trained from the orders on its customers' timelines, watched live, versioned.</summary>
[Collection(EmbeddedWebCollection.Name)]
public sealed class ValueSegmentsApiTests(EmbeddedWebFixture fixture)
{
    /// <summary>Regulars ordering big every few days; first-timers this week; customers gone for a year. A cancellation takes value back.</summary>
    internal static async Task<Dictionary<string, string>> OrdersAsync(TestUser user)
    {
        var now = DateTimeOffset.UtcNow;
        var kinds = new Dictionary<string, string>();
        for (var i = 0; i < 4; i++)
        {
            var regular = await MergeAndUndo.CreateAsync(user, new { displayName = $"Regular {i}" });
            for (var o = 0; o < 8; o++)
            {
                await OrderAsync(user, regular, now.AddDays(-2 - 4 * o - i), 900 + 50 * i);
            }

            await OrderAsync(user, regular, now.AddDays(-1), -100);
            var first = await MergeAndUndo.CreateAsync(user, new { displayName = $"First-timer {i}" });
            await OrderAsync(user, first, now.AddDays(-1 - i), 25 + i);
            var gone = await MergeAndUndo.CreateAsync(user, new { displayName = $"Gone {i}" });
            await OrderAsync(user, gone, now.AddDays(-360 - i), 15 + i);
            (kinds[regular], kinds[first], kinds[gone]) = ("regular", "first", "gone");
        }

        return kinds;
    }

    private static async Task OrderAsync(TestUser user, string customerId, DateTimeOffset at, decimal value)
    {
        var logged = await user.Client.PostAsJsonAsync($"/api/customers/{customerId}/interactions", new
        {
            channel = "order",
            subject = value < 0 ? "Cancellation" : "Order",
            occurredAt = at,
            metadata = new Dictionary<string, string> { ["value"] = value.ToString(CultureInfo.InvariantCulture) },
        });
        Assert.True(logged.IsSuccessStatusCode, await logged.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_supervisor_trains_them_from_the_orders_watches_the_progress_and_reads_named_clusters()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var kinds = await OrdersAsync(supervisor);
        var unordered = await MergeAndUndo.CreateAsync(supervisor, new { displayName = "Never ordered" });
        await using var hub = await fixture.Web.ConnectHubAsync(supervisor.Token);
        var changes = new Recorder<JsonElement>();
        hub.On<JsonElement>(HubMessages.ValueSegmentsChanged, changes.Record);
        var before = await hub.InvokeAsync<JsonElement>("WatchValueSegments");
        Assert.Equal("neverRun", before.GetProperty("training").GetProperty("status").GetString());

        var started = await supervisor.Client.PostAsync("/api/analytics/segments/train", null);

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var done = await Eventually.ReturnsAsync(
            async () => await (await supervisor.Client.GetAsync("/api/analytics/segments")).ReadJsonAsync(),
            s => s.GetProperty("training").GetProperty("status").GetString() is "completed" or "failed");
        Assert.Equal("completed", done.GetProperty("training").GetProperty("status").GetString());
        var active = done.GetProperty("active");
        Assert.Equal(3, active.GetProperty("k").GetInt32());
        Assert.True(active.GetProperty("silhouette").GetDouble() > 0.6, active.ToString());
        Assert.Equal(12, active.GetProperty("customers").GetInt32());
        Assert.Equal(4 * 11, active.GetProperty("orders").GetInt32());
        var clusters = active.GetProperty("clusters").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("centroid"));
        Assert.Equal(["Champions", "Lost", "New customers"], clusters.Keys.Order());
        // Eight orders of 900 to 1,050 less a cancellation of 100: 7,100 to 8,300 each.
        Assert.InRange(clusters["Champions"].GetProperty("monetary").GetDecimal(), 7_100m, 8_300m);
        Assert.True(clusters["Champions"].GetProperty("recencyDays").GetDouble() < clusters["Lost"].GetProperty("recencyDays").GetDouble());
        Assert.Equal(8, clusters["Champions"].GetProperty("frequency").GetDouble());
        Assert.Equal(9, active.GetProperty("tried").GetArrayLength());
        var pushed = await changes.WaitForAsync(1);
        var last = (await changes.DrainAsync(TimeSpan.FromMilliseconds(500)))[^1];
        Assert.Equal("completed", last.GetProperty("training").GetProperty("status").GetString());
        Assert.Equal(1, last.GetProperty("active").GetProperty("version").GetInt32());

        // Every customer who ordered is placed, by the numbers it was judged on; one who never ordered is in none.
        var expected = new Dictionary<string, string> { ["regular"] = "Champions", ["first"] = "New customers", ["gone"] = "Lost" };
        foreach (var (id, kind) in kinds)
        {
            var segment = (await MergeAndUndo.GetAsync(supervisor, id)).GetProperty("valueSegment");
            Assert.Equal((expected[kind], 1), (segment.GetProperty("name").GetString(), segment.GetProperty("version").GetInt32()));
        }

        Assert.False((await MergeAndUndo.GetAsync(supervisor, unordered)).TryGetProperty("valueSegment", out _));
        // Searchable by it, with the rules segments and audiences use.
        var rules = Uri.EscapeDataString("""{"field":"valueSegment","op":"eq","value":"Champions"}""");
        var champions = await Eventually.ReturnsAsync(
            async () => (await (await supervisor.Client.GetAsync($"/api/customers?rules={rules}&limit=50")).ReadJsonAsync()).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).Order().ToList(),
            ids => ids.Count == 4);
        Assert.Equal(kinds.Where(k => k.Value == "regular").Select(k => k.Key).Order(), champions);
        var regular = kinds.First(k => k.Value == "regular").Key;
        var numbers = (await MergeAndUndo.GetAsync(supervisor, regular)).GetProperty("valueSegment");
        Assert.Equal(8, numbers.GetProperty("frequency").GetInt32());
        Assert.InRange(numbers.GetProperty("recencyDays").GetDouble(), 1, 3);

        // A first-timer who starts ordering big and often is placed again with each order.
        var convert = kinds.First(k => k.Value == "first").Key;
        await using var agentHub = await fixture.Web.ConnectHubAsync((await fixture.Web.SignInAsync(supervisor.Tenant, Roles.Agent)).Token);
        var profiles = new Recorder<JsonElement>();
        agentHub.On<JsonElement>(HubMessages.CustomerChanged, profiles.Record);
        await agentHub.InvokeAsync<long>("WatchCustomer", convert, null);
        for (var o = 0; o < 8; o++)
        {
            await OrderAsync(supervisor, convert, DateTimeOffset.UtcNow.AddDays(-o), 1_000);
        }

        var moved = (await MergeAndUndo.GetAsync(supervisor, convert)).GetProperty("valueSegment");
        Assert.Equal(("Champions", 9), (moved.GetProperty("name").GetString(), moved.GetProperty("frequency").GetInt32()));

        // Placed again as of now (what the daily reminder does): the numbers are judged afresh, the generation kept.
        var gone = kinds.First(k => k.Value == "gone").Key;
        var placedFirst = (await MergeAndUndo.GetAsync(supervisor, gone)).GetProperty("valueSegment");
        Assert.Equal(HttpStatusCode.Accepted, (await supervisor.Client.PostAsync("/api/analytics/segments/place", null)).StatusCode);
        var again = await Eventually.ReturnsAsync(
            async () => (await MergeAndUndo.GetAsync(supervisor, gone)).GetProperty("valueSegment"),
            v => v.GetProperty("assignedAt").GetDateTimeOffset() > placedFirst.GetProperty("assignedAt").GetDateTimeOffset());
        Assert.Equal(("Lost", placedFirst.GetProperty("generation").GetInt64()), (again.GetProperty("name").GetString(), again.GetProperty("generation").GetInt64()));
        Assert.True(again.GetProperty("recencyDays").GetDouble() > placedFirst.GetProperty("recencyDays").GetDouble());
        // Watchers are told when an order moves the customer, once.
        var told = await Eventually.ReturnsAsync(
            async () => (await profiles.DrainAsync(TimeSpan.FromMilliseconds(200))).Where(p => p.TryGetProperty("valueSegment", out _)).ToList(),
            changes => changes.Any(p => p.GetProperty("valueSegment").GetProperty("name").GetString() == "Champions"));
        Assert.Single(told, p => p.GetProperty("valueSegment").GetProperty("name").GetString() == "Champions");
    }

    [Fact]
    public async Task Versions_are_kept_and_put_back_in_use_and_a_version_not_kept_is_a_404_naming_it()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var kinds = await OrdersAsync(supervisor);
        for (var version = 1; version <= 2; version++)
        {
            await supervisor.Client.PostAsync("/api/analytics/segments/train", null);
            var expected = version;
            await Eventually.ReturnsAsync(
                async () => await (await supervisor.Client.GetAsync("/api/analytics/segments")).ReadJsonAsync(),
                // Training a version puts it in use before its customers are placed; another starts once that is done.
                s => s.TryGetProperty("active", out var active) && active.GetProperty("version").GetInt32() == expected
                    && s.GetProperty("training").GetProperty("status").GetString() == "completed");
        }

        // Refused with 409 while the previous work is ending: asked again until it is taken.
        async Task<HttpResponseMessage> ActivateAsync(int version) => await Eventually.ReturnsAsync(
            () => supervisor.Client.PostAsync($"/api/analytics/segments/versions/{version}/activate", null), r => r.StatusCode != HttpStatusCode.Conflict);
        var rolledBack = await (await ActivateAsync(1)).ReadJsonAsync();
        var busy = await supervisor.Client.PostAsync("/api/analytics/segments/versions/2/activate", null);
        var missing = await supervisor.Client.PostAsync("/api/analytics/segments/versions/7/activate", null);
        if (busy.StatusCode == HttpStatusCode.OK)
        {
            // Placing by version 1 had ended before the second call: put version 1 back again.
            Assert.Equal(HttpStatusCode.OK, (await ActivateAsync(1)).StatusCode);
        }

        var placed = await Eventually.ReturnsAsync(
            async () => await (await supervisor.Client.GetAsync("/api/analytics/segments")).ReadJsonAsync(),
            s => s.GetProperty("training").GetProperty("status").GetString() == "completed");

        Assert.Equal(1, rolledBack.GetProperty("active").GetProperty("version").GetInt32());
        Assert.Equal([(2, false), (1, true)], rolledBack.GetProperty("versions").EnumerateArray().Select(v => (v.GetProperty("version").GetInt32(), v.GetProperty("active").GetBoolean())));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.True(busy.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.OK, busy.StatusCode.ToString());
        Assert.Equal(1, placed.GetProperty("active").GetProperty("version").GetInt32());
        foreach (var id in kinds.Keys)
        {
            Assert.Equal(1, (await MergeAndUndo.GetAsync(supervisor, id)).GetProperty("valueSegment").GetProperty("version").GetInt32());
        }

        Assert.Contains("version", (await missing.ReadJsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }

    [Fact]
    public async Task Training_without_orders_fails_saying_why_agents_may_not_train_and_another_tenant_sees_none_of_it()
    {
        var tenant = TestTenants.New();
        var supervisor = await fixture.Web.SignInAsync(tenant, Roles.Supervisor);
        var agent = await fixture.Web.SignInAsync(tenant, Roles.Agent);
        var other = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);

        Assert.Equal(HttpStatusCode.Forbidden, (await agent.Client.PostAsync("/api/analytics/segments/train", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.Client.GetAsync("/api/analytics/segments")).StatusCode);
        await supervisor.Client.PostAsync("/api/analytics/segments/train", null);
        var failed = await Eventually.ReturnsAsync(
            async () => await (await supervisor.Client.GetAsync("/api/analytics/segments")).ReadJsonAsync(),
            s => s.GetProperty("training").GetProperty("status").GetString() == "failed");
        Assert.Contains("at least 3 customers with orders", failed.GetProperty("training").GetProperty("error").GetString());

        await OrdersAsync(supervisor);
        await supervisor.Client.PostAsync("/api/analytics/segments/train", null);
        await Eventually.ReturnsAsync(
            async () => await (await supervisor.Client.GetAsync("/api/analytics/segments")).ReadJsonAsync(),
            s => s.GetProperty("training").GetProperty("status").GetString() == "completed");
        Assert.Equal(HttpStatusCode.Conflict, (await other.Client.PostAsync("/api/analytics/segments/place", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.Client.PostAsync("/api/analytics/segments/place", null)).StatusCode);
        var theirs = await (await other.Client.GetAsync("/api/analytics/segments")).ReadJsonAsync();
        Assert.False(theirs.TryGetProperty("active", out _), theirs.ToString());
        Assert.Equal("neverRun", theirs.GetProperty("training").GetProperty("status").GetString());
        await using var hub = await fixture.Web.ConnectHubAsync(agent.Token);
        await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<JsonElement>("WatchValueSegments"));
    }

    [Fact]
    public async Task A_customer_placed_by_a_newer_choice_of_model_refuses_an_older_one()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var kinds = await OrdersAsync(supervisor);
        await supervisor.Client.PostAsync("/api/analytics/segments/train", null);
        await Eventually.ReturnsAsync(
            async () => await (await supervisor.Client.GetAsync("/api/analytics/segments")).ReadJsonAsync(),
            s => s.GetProperty("training").GetProperty("status").GetString() == "completed");
        var grains = fixture.Web.Services.GetRequiredService<IGrainFactory>();
        var segments = await grains.GetGrain<Crm.Analytics.IValueSegmentsGrain>(supervisor.Tenant).GetAsync();
        var model = segments.Active!;
        var gone = grains.GetGrain<Crm.Customers.ICustomerGrain>(new Crm.Customers.CustomerKey(supervisor.Tenant, kinds.First(k => k.Value == "gone").Key).ToString());
        // The same model under another name, chosen later, then the first choice again from a silo that had not heard.
        var renamed = model with { Clusters = [.. model.Clusters.Select(c => c with { Name = "Renamed " + c.Name })] };

        var newer = await gone.AssignValueSegmentAsync(renamed, segments.Generation + 1);
        var older = await gone.AssignValueSegmentAsync(model, segments.Generation);

        Assert.Equal("Renamed Lost", newer!.Name);
        Assert.Equal(newer, older);
        Assert.Equal("Renamed Lost", (await MergeAndUndo.GetAsync(supervisor, kinds.First(k => k.Value == "gone").Key)).GetProperty("valueSegment").GetProperty("name").GetString());
    }
}
