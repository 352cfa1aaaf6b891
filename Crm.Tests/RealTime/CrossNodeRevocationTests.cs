using System.Net;
using System.Net.Http.Json;
using Crm.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Crm.Tests.RealTime;

/// <summary>What one web node revokes, every other node stops honouring at once, not when its caches expire.</summary>
[Collection(TwoNodeCollection.Name)]
public sealed class CrossNodeRevocationTests(TwoNodeFixture cluster)
{
    [Fact]
    public async Task A_user_disabled_on_one_node_loses_their_connection_to_the_other()
    {
        var admin = await cluster.AdminAsync(0);
        var email = $"agent-{Guid.NewGuid():N}@acme.test";
        var user = await admin.PostAsJsonAsync("/api/users", new { email, displayName = "Leaving Agent", password = "a long enough password", roles = new[] { "agent" } }).SucceededAsync();
        var agent = await cluster.SignInAsync(1, email, "a long enough password");
        var token = agent.DefaultRequestHeaders.Authorization!.Parameter;
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(cluster.Nodes[1].Address, "/hubs/crm"), o => o.AccessTokenProvider = () => Task.FromResult(token))
            .Build();
        var closed = new TaskCompletionSource();
        hub.Closed += _ => Task.FromResult(closed.TrySetResult());
        await hub.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await agent.GetAsync("/api/customers")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/users/{user.GetProperty("id").GetString()}")).StatusCode);

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.Unauthorized, (await agent.GetAsync("/api/customers")).StatusCode);
    }

    [Fact]
    public async Task A_source_revoked_on_one_node_is_refused_by_the_other()
    {
        var (id, senders) = await cluster.SourceAsync("Soon revoked");
        var message = new { userId = "u-revoked", @event = "Still here" };
        Assert.Equal(HttpStatusCode.OK, (await senders[1].PostAsJsonAsync("/v1/track", message)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await (await cluster.AdminAsync(0)).DeleteAsync($"/api/sources/{id}")).StatusCode);

        await Eventually.ReturnsAsync(async () => (await senders[1].PostAsJsonAsync("/v1/track", message)).StatusCode,
            status => status == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(5));
    }
}
