using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Crm.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Crm.Tests.Ingestion;

/// <summary>An acknowledged event survives the process being killed right after the acknowledgement, and is applied once.</summary>
public sealed class IngestDurabilityTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Events = 1000;
    private TestPostgres _database = null!;

    public async Task InitializeAsync() => _database = await TestPostgres.CreateAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Every_acknowledged_event_is_on_its_timeline_exactly_once_after_a_kill_and_a_restart()
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__crm"] = _database.ConnectionString,
            ["Orleans__ClusterId"] = _database.Name,
            ["Orleans__ServiceId"] = _database.Name,
            ["Crm__Bootstrap__Tenant"] = "acme",
            ["Crm__Bootstrap__AdminEmail"] = "admin@acme.test",
            ["Crm__Bootstrap__AdminPassword"] = "durable password",
            // The restarted silo takes the same endpoint, as a node restarting in place does: Orleans then knows the
            // killed one (an older generation on that endpoint) is dead without waiting for it to miss its probes.
            ["Orleans__Endpoints__SiloPort"] = FreePorts.Next().ToString(),
            ["Orleans__Endpoints__GatewayPort"] = FreePorts.Next().ToString(),
        };

        using (var first = await WebProcess.StartAsync(environment))
        {
            var writeKey = await CreateSourceAsync(first.Address);
            using var source = new HttpClient { BaseAddress = first.Address };
            source.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{writeKey}:")));
            var acknowledged = await Task.WhenAll(Enumerable.Range(0, Events / 50).Select(async batch =>
            {
                var response = await source.PostAsJsonAsync("/v1/batch", new
                {
                    batch = Enumerable.Range(batch * 50, 50).Select(i => new { type = "track", userId = $"user-{i % 100}", @event = "Durable", messageId = $"fault-{i}" }),
                });
                return (await response.ReadJsonAsync()).GetProperty("accepted").GetInt32();
            }));
            Assert.Equal(Events, acknowledged.Sum());
            first.Kill();
        }

        output.WriteLine($"Applied when killed: {await _database.ScalarAsync<long>("SELECT count(*) FROM crm_timeline WHERE external_id LIKE 'fault-%'")} of {Events}");

        using var second = await WebProcess.StartAsync(environment);
        var (rows, distinct) = await Eventually.ReturnsAsync(
            async () => (await _database.ScalarAsync<long>("SELECT count(*) FROM crm_timeline WHERE external_id LIKE 'fault-%'"),
                         await _database.ScalarAsync<long>("SELECT count(DISTINCT external_id) FROM crm_timeline WHERE external_id LIKE 'fault-%'")),
            counts => counts.Item1 >= Events,
            TimeSpan.FromSeconds(60));

        Assert.Equal(Events, rows);
        Assert.Equal(Events, distinct);
        // The customer list follows the customers a moment later (a projection of what they committed).
        await Eventually.ReturnsAsync(() => _database.ScalarAsync<long>("SELECT count(*) FROM crm_customers WHERE tenant_id = 'acme'"), count => count == 100);
    }

    private static async Task<string> CreateSourceAsync(Uri address)
    {
        using var http = new HttpClient { BaseAddress = address };
        var token = await (await http.PostAsJsonAsync("/api/auth/token", new { username = "admin@acme.test", password = "durable password" })).ReadJsonAsync();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());
        var source = await http.PostAsJsonAsync("/api/sources", new { name = "Fault test" });
        Assert.Equal(HttpStatusCode.Created, source.StatusCode);
        return (await source.ReadJsonAsync()).GetProperty("writeKey").GetString()!;
    }
}
