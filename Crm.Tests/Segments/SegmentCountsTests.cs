using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Crm.Tests.Segments;

/// <summary>Segment member counts pushed to a watching page as customers change, through a real SignalR client.</summary>
[Collection(EmbeddedWebCollection.Name)]
public sealed class SegmentCountsTests(EmbeddedWebFixture fixture)
{
    [Fact]
    public async Task A_watcher_receives_the_counts_now_and_again_as_customers_join_a_segment_and_other_tenants_hear_nothing()
    {
        var tenant = TestTenants.New();
        var (supervisor, agent) = (await fixture.Web.SignInAsync(tenant, Roles.Supervisor), await fixture.Web.SignInAsync(tenant));
        var stranger = await fixture.Web.SignInAsync(TestTenants.New());
        var created = await supervisor.Client.PostAsJsonAsync("/api/segments", new { name = "VIPs", rules = new { field = "tags", op = "contains", value = "vip" } });
        var id = (await created.ReadJsonAsync()).GetProperty("id").GetString()!;
        var received = Channel.CreateUnbounded<JsonElement>();
        var strangers = Channel.CreateUnbounded<JsonElement>();
        await using var hub = await fixture.Web.ConnectHubAsync(agent.Token);
        await using var strangerHub = await fixture.Web.ConnectHubAsync(stranger.Token);
        hub.On<JsonElement>("segmentCountsChanged", counts => received.Writer.TryWrite(counts));
        strangerHub.On<JsonElement>("segmentCountsChanged", counts => strangers.Writer.TryWrite(counts));

        var now = await hub.InvokeAsync<JsonElement>("WatchSegments");
        await strangerHub.InvokeAsync<JsonElement>("WatchSegments");
        await agent.Client.PostAsJsonAsync("/api/customers", new { displayName = "Ada", tags = new[] { "vip" } });
        await agent.Client.PostAsJsonAsync("/api/customers", new { displayName = "Bob" });

        Assert.Equal(0, now.GetProperty("memberCounts").GetProperty(id).GetInt64());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        JsonElement pushed;
        do
        {
            pushed = await received.Reader.ReadAsync(timeout.Token);
        }
        while (pushed.GetProperty("memberCounts").GetProperty(id).GetInt64() != 1);

        Assert.False(strangers.Reader.TryRead(out _));
    }
}
