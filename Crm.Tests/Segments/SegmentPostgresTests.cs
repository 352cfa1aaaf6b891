using System.Net.Http.Json;
using System.Text;
using Crm.Security;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Segments;

/// <summary>Segments in durable mode: definitions kept across a restart, members found by SQL, and customers listed before the segment fields existed written again.</summary>
public sealed class SegmentPostgresTests : IAsyncLifetime
{
    private TestPostgres _database = null!;

    public async Task InitializeAsync() => _database = await TestPostgres.CreateAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task A_segment_survives_a_restart_and_finds_customers_whose_rows_were_written_before_the_segment_fields()
    {
        var tenant = TestTenants.New();
        string segmentId;
        await using (var web = Web())
        {
            var supervisor = await web.SignInAsync(tenant, Roles.Supervisor);
            await supervisor.Client.PostAsJsonAsync("/api/customers", new { displayName = "Ada", country = "GB", attributes = new { seats = 12 } });
            await supervisor.Client.PostAsJsonAsync("/api/customers", new { displayName = "Bob", country = "GB", attributes = new { seats = 2 } });
            var created = await supervisor.Client.PostAsync("/api/segments", new StringContent(
                """{"name":"Big GB accounts","rules":{"all":[{"field":"country","op":"eq","value":"gb"},{"field":"attributes.seats","op":"gt","value":10}]}}""",
                Encoding.UTF8, "application/json"));
            segmentId = (await created.ReadJsonAsync()).GetProperty("id").GetString()!;
            await Eventually.ReturnsAsync(() => MemberCountAsync(supervisor, segmentId), count => count == 1);
        }

        // What an upgrade finds: rows from before migration 0008, without the fields, and the backfill not yet run.
        await _database.ScalarAsync<int>(
            "WITH u AS (UPDATE crm_customers SET country = NULL, attributes = '{}', projection = 1 WHERE tenant_id = $1 RETURNING 1) SELECT count(*)::int FROM u", tenant);
        await _database.ScalarAsync<int>("WITH d AS (DELETE FROM crm_schema_migrations WHERE id = '0008-customer-list-backfill' RETURNING 1) SELECT count(*)::int FROM d");

        await using (var restarted = Web())
        {
            var agent = await restarted.SignInAsync(tenant);

            Assert.Equal(1, await Eventually.ReturnsAsync(() => MemberCountAsync(agent, segmentId), count => count == 1));
            var members = await (await agent.Client.GetAsync($"/api/segments/{segmentId}/members")).ReadJsonAsync();
            Assert.Equal("Ada", Assert.Single(members.GetProperty("items").EnumerateArray()).GetProperty("displayName").GetString());
            Assert.Equal(0, await _database.ScalarAsync<long>("SELECT count(*) FROM crm_customers WHERE tenant_id = $1 AND projection < 2", tenant));
        }
    }

    private CrmWebFactory Web()
    {
        var web = new CrmWebFactory(_database.ConnectionString);
        web.StartServer();
        return web;
    }

    private static async Task<long> MemberCountAsync(TestUser user, string segmentId) =>
        (await (await user.Client.GetAsync($"/api/segments/{segmentId}")).ReadJsonAsync()).GetProperty("memberCount").GetInt64();
}
