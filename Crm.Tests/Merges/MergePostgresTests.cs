using System.Net.Http.Json;
using Crm.Security;
using Crm.Tests.Duplicates;
using Crm.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Crm.Tests.Merges;

/// <summary>Duplicates and merges in durable mode: blocking in SQL, the queue and the merge log kept across a restart.</summary>
public sealed class MergePostgresTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestPostgres _database = null!;

    public async Task InitializeAsync() => _database = await TestPostgres.CreateAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Three_customers_merged_and_the_merge_undone()
    {
        await using var web = Web();
        await MergeAndUndo.RunAsync(web);
    }

    [Fact]
    public async Task Finds_the_known_duplicates_by_blocking_in_sql_and_keeps_the_queue_and_the_merges_across_a_restart()
    {
        var tenant = TestTenants.New();
        IReadOnlyList<string> ids;
        string mergeId;
        await using (var web = Web())
        {
            var supervisor = await web.SignInAsync(tenant, Roles.Supervisor);
            ids = await KnownDuplicates.CreateAsync(supervisor);
            DuplicateQuality.AssertPrecisionAndRecall(ids, await KnownDuplicates.ScanAsync(supervisor, ids.Count), output);
            var merged = await (await supervisor.Client.PostAsJsonAsync("/api/merges", new { survivorId = ids[0], mergedIds = new[] { ids[1] } })).ReadJsonAsync();
            mergeId = merged.GetProperty("id").GetString()!;
        }

        await using (var restarted = Web())
        {
            var supervisor = await restarted.SignInAsync(tenant, Roles.Supervisor);
            var queue = await KnownDuplicates.ListAsync(supervisor);

            Assert.DoesNotContain(queue, p => KnownDuplicates.Ids(p) == KnownDuplicates.Pair(ids[0], ids[1]));
            Assert.Contains(queue, p => KnownDuplicates.Ids(p) == KnownDuplicates.Pair(ids[2], ids[3]));
            Assert.Equal("completed", (await (await supervisor.Client.GetAsync($"/api/merges/{mergeId}")).ReadJsonAsync()).GetProperty("status").GetString());
            Assert.Equal("undone", (await (await supervisor.Client.PostAsync($"/api/merges/{mergeId}/undo", null)).ReadJsonAsync()).GetProperty("status").GetString());
            await Eventually.ReturnsAsync(() => KnownDuplicates.ListAsync(supervisor), items => items.Any(p => KnownDuplicates.Ids(p) == KnownDuplicates.Pair(ids[0], ids[1])));
        }
    }

    [Fact]
    public async Task A_customers_blocking_keys_follow_its_edits_and_its_deletion()
    {
        await using var web = Web();
        var tenant = TestTenants.New();
        var supervisor = await web.SignInAsync(tenant, Roles.Supervisor);
        var ada = await MergeAndUndo.CreateAsync(supervisor, new { givenName = "Ada", familyName = "Lovelace", emails = new[] { "ada@analytical.example" } });
        var grace = await MergeAndUndo.CreateAsync(supervisor, new { givenName = "Grace", familyName = "Hopper", emails = new[] { "grace@navy.example" } });
        await Eventually.ReturnsAsync(() => KeysAsync(tenant, grace), keys => keys.Contains("e:grace@navy.example"));

        var edited = await supervisor.Client.PatchAsync($"/api/customers/{grace}", new StringContent("""{"emails":["ada@analytical.example"]}""", System.Text.Encoding.UTF8, "application/merge-patch+json"));
        Assert.True(edited.IsSuccessStatusCode, await edited.Content.ReadAsStringAsync());
        var keys = await Eventually.ReturnsAsync(() => KeysAsync(tenant, grace), keys => keys.Contains("e:ada@analytical.example"));
        Assert.DoesNotContain("e:grace@navy.example", keys);
        await Eventually.ReturnsAsync(() => KnownDuplicates.ListAsync(supervisor), items => items.Any(p => KnownDuplicates.Ids(p) == KnownDuplicates.Pair(ada, grace)));

        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await supervisor.Client.DeleteAsync($"/api/customers/{ada}")).StatusCode);
        await Eventually.ReturnsAsync(() => KeysAsync(tenant, ada), keys => keys.Length == 0);
        await Eventually.ReturnsAsync(() => KnownDuplicates.ListAsync(supervisor), items => items.Count == 0);
    }

    private Task<string[]> KeysAsync(string tenant, string customerId) =>
        _database.ScalarAsync<string[]>("SELECT coalesce(array_agg(match_key ORDER BY match_key), '{}') FROM crm_match_keys WHERE tenant_id = $1 AND customer_id = $2", tenant, customerId);

    private CrmWebFactory Web()
    {
        var web = new CrmWebFactory(_database.ConnectionString);
        web.StartServer();
        return web;
    }
}
