using Crm.Security;
using Crm.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Tests.RealTime;

/// <summary>A user disabled where no revocation message reaches this node still loses their live connections, at the next account check.</summary>
public sealed class HubAccountCheckTests : IAsyncLifetime
{
    private readonly CrmWebFactory _web = new(settings: new Dictionary<string, string?> { ["Crm:Hub:AccountCheckEvery"] = "00:00:01" });

    public Task InitializeAsync()
    {
        _web.StartServer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _web.DisposeAsync();

    [Fact]
    public async Task A_connection_of_a_user_disabled_behind_the_nodes_back_closes_and_a_colleagues_stays_open()
    {
        var tenant = TestTenants.New();
        var (leaving, staying) = (await _web.SignInAsync(tenant), await _web.SignInAsync(tenant));
        await using var leavingHub = await _web.ConnectHubAsync(leaving.Token);
        await using var stayingHub = await _web.ConnectHubAsync(staying.Token);
        var closed = new TaskCompletionSource();
        leavingHub.Closed += _ => Task.FromResult(closed.TrySetResult());

        // Straight in the store: as in a database changed by hand, or a revocation message lost on the way.
        var accounts = _web.Services.GetRequiredService<IAccountStore>();
        Assert.True(await accounts.DisableUserAsync(tenant, Guid.Parse(leaving.Id), DateTimeOffset.UtcNow));

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected, stayingHub.State);
    }
}
