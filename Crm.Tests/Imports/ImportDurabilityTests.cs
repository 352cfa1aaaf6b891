using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Crm.Tests.Infrastructure;
using Xunit.Abstractions;
using static Crm.Tests.Imports.Imports;

namespace Crm.Tests.Imports;

/// <summary>An import on PostgreSQL survives the process running it being killed mid-file: resumed from its last commit, every row applied and counted once.</summary>
public sealed class ImportDurabilityTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Rows = 4000;
    private TestPostgres _database = null!;

    public async Task InitializeAsync() => _database = await TestPostgres.CreateAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task A_node_killed_mid_import_is_taken_over_from_the_last_committed_row_and_nothing_is_applied_twice()
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__crm"] = _database.ConnectionString,
            ["Orleans__ClusterId"] = _database.Name,
            ["Orleans__ServiceId"] = _database.Name,
            ["Crm__Bootstrap__Tenant"] = "acme",
            ["Crm__Bootstrap__AdminEmail"] = "admin@acme.test",
            ["Crm__Bootstrap__AdminPassword"] = "durable password",
            ["Orleans__Endpoints__SiloPort"] = FreePorts.Next().ToString(),
            ["Orleans__Endpoints__GatewayPort"] = FreePorts.Next().ToString(),
            // Small commits and a short lease: the kill lands mid-file, and the next node takes over soon after.
            ["Crm__Imports__RowsPerCommit"] = "50",
            ["Crm__Imports__MaxRowsAhead"] = "100",
            ["Crm__Imports__Lease"] = "00:00:02",
            ["Crm__Imports__PollEvery"] = "00:00:01",
        };
        var file = Utf8("id,name,email\n" + string.Join('\n', Enumerable.Range(0, Rows).Select(i => $"k-{i},Person {i},person{i}@example.com")) + "\n");
        string id;
        using (var first = await WebProcess.StartAsync(environment))
        {
            using var admin = await SignInAsync(first.Address);
            id = await StartAsync(admin, file, "people.csv", new { id = "externalId", name = "displayName", email = "emails" });
            var before = await Eventually.ReturnsAsync(async () => await (await admin.GetAsync($"/api/imports/{id}")).ReadJsonAsync(),
                job => job.GetProperty("rowsRead").GetInt64() >= 500, TimeSpan.FromSeconds(60));
            first.Kill();
            output.WriteLine($"Killed with {before.GetProperty("rowsRead")} rows read, {before.GetProperty("created")} created");
            Assert.Equal("running", before.GetProperty("status").GetString());
        }

        using var second = await WebProcess.StartAsync(environment);
        using var again = await SignInAsync(second.Address);
        var finished = await FinishedAsync(again, id, TimeSpan.FromSeconds(120));

        Assert.Equal("completed", finished.GetProperty("status").GetString());
        var (created, updated, unchanged, rejected, rowsRead) = Counts(finished);
        output.WriteLine($"Created {created}, unchanged {unchanged} (applied before the kill, not reported)");
        Assert.Equal(Rows, rowsRead);
        Assert.Equal((0, 0), (updated, rejected));
        Assert.Equal(Rows, created + unchanged);
        Assert.Equal(Rows, await _database.ScalarAsync<long>("SELECT count(*) FROM crm_identities WHERE tenant_id = 'acme' AND kind = 'email'"));
        await Eventually.ReturnsAsync(() => _database.ScalarAsync<long>("SELECT count(*) FROM crm_customers WHERE tenant_id = 'acme'"), count => count == Rows);
    }

    private static async Task<HttpClient> SignInAsync(Uri address)
    {
        var http = new HttpClient { BaseAddress = address };
        var token = await (await http.PostAsJsonAsync("/api/auth/token", new { username = "admin@acme.test", password = "durable password" })).ReadJsonAsync();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());
        return http;
    }
}
