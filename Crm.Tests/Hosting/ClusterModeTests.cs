using System.Net.Http.Json;
using System.Text.Json;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Crm.Web.RealTime;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Tests.Hosting;

/// <summary>
/// The cluster topology of deploy/: Crm.Silo processes on PostgreSQL, and Crm.Web with --cluster as a client that
/// holds no grains. A customer created and watched through the web node lives in the silos, and its changes reach
/// the web node's watchers through the silos' streams.
/// </summary>
public sealed class ClusterModeTests : IAsyncLifetime
{
    private readonly List<SiloProcess> _silos = [];
    private TestPostgres _database = null!;

    public async Task InitializeAsync() => _database = await TestPostgres.CreateAsync();

    public async Task DisposeAsync()
    {
        _silos.ForEach(s => s.Dispose());
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_client_only_web_node_serves_customers_that_live_in_separate_silo_processes()
    {
        var clusterId = "crm-" + _database.Name;
        _silos.Add(SiloProcess.Start(_database.ConnectionString, clusterId));
        _silos.Add(SiloProcess.Start(_database.ConnectionString, clusterId));
        await WaitForActiveSilosAsync(clusterId, 2);

        await using var web = new CrmWebFactory(_database.ConnectionString, new Dictionary<string, string?>
        {
            ["Crm:Cluster"] = "true",
            ["Orleans:ClusterId"] = clusterId,
            ["Orleans:ServiceId"] = clusterId,
        });
        var agent = await web.SignInAsync(TestTenants.New());
        var created = await agent.Client.PostAsJsonAsync("/api/customers", new { displayName = "Clustered Customer" });
        var id = (await created.ReadJsonAsync()).GetProperty("id").GetString();
        await using var hub = await web.ConnectHubAsync(agent.Token);
        var received = new Recorder<JsonElement>();
        hub.On<JsonElement>(HubMessages.InteractionAdded, received.Record);
        await hub.InvokeAsync<long>("WatchCustomer", id, null);

        await agent.Client.PostAsJsonAsync($"/api/customers/{id}/interactions", new { channel = "call", subject = "via the cluster" });
        var message = Assert.Single(await received.WaitForAsync(1));

        Assert.Equal("via the cluster", message.GetProperty("subject").GetString());
        Assert.Null(web.Services.GetService<Orleans.Runtime.ILocalSiloDetails>());
        var activations = await _database.ScalarAsync<long>("SELECT count(*) FROM orleansstorage WHERE grainidextensionstring = $1", $"{agent.Tenant}/{id}");
        Assert.Equal(1, activations);
        Assert.Equal(Roles.Agent, (await (await agent.Client.GetAsync("/api/auth/me")).ReadJsonAsync()).GetProperty("roles")[0].GetString());
    }

    private async Task WaitForActiveSilosAsync(string clusterId, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            // Status 3 is Active in Orleans' membership table.
            while (await ActiveSilosAsync(clusterId) < count)
            {
                await Task.Delay(200, timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("The silos did not become active:\n" + string.Join("\n---\n", _silos.Select(s => s.Output)));
        }
    }

    private async Task<long> ActiveSilosAsync(string clusterId)
    {
        try
        {
            return await _database.ScalarAsync<long>("SELECT count(*) FROM orleansmembershiptable WHERE deploymentid = $1 AND status = 3", clusterId);
        }
        catch (Npgsql.PostgresException)
        {
            return 0; // Not migrated yet.
        }
    }
}
