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

    private CrmWebFactory Web()
    {
        var web = new CrmWebFactory(_database.ConnectionString);
        web.StartServer();
        return web;
    }
}
