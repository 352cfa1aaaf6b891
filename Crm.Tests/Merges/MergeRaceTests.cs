using System.Collections.Immutable;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.Customers;
using Crm.Merges;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Tests.Merges;

/// <summary>
/// Merges that meet other work on the same customers: each customer is held by one merge at a time, nothing is left
/// half done, a retry gets the merge it started, and each customer step answers the same when a resumed merge asks again.
/// </summary>
[Collection(EmbeddedWebCollection.Name)]
public sealed class MergeRaceTests(EmbeddedWebFixture fixture)
{
    private static readonly Actor Tester = new("tester", "Tester");

    [Fact]
    public async Task Merges_racing_for_the_same_customers_each_finish_or_are_refused_and_no_interaction_is_lost()
    {
        for (var round = 0; round < 4; round++)
        {
            var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
            var ids = new List<string>();
            foreach (var name in new[] { "A", "B", "C", "D" })
            {
                var id = await MergeAndUndo.CreateAsync(supervisor, new { displayName = name });
                await MergeAndUndo.LogAsync(supervisor, id, $"{name} 1", $"{name} 2");
                ids.Add(id);
            }

            var (a, b, c, d) = (ids[0], ids[1], ids[2], ids[3]);
            var requests = new[] { (a, new[] { b }), (c, new[] { b }), (d, new[] { a }), (b, new[] { c, d }) };
            var answers = await Task.WhenAll(requests.Select(r => supervisor.Client.PostAsJsonAsync("/api/merges", new { survivorId = r.Item1, mergedIds = r.Item2 })));

            // Each holds what it reaches first and is refused what another holds: any of them may lose, none waits.
            Assert.All(answers, answer => Assert.Contains(answer.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
            var merges = (await (await supervisor.Client.GetAsync("/api/merges")).ReadJsonAsync()).GetProperty("items").EnumerateArray().ToList();
            Assert.All(merges, m => Assert.Equal("completed", m.GetProperty("status").GetString()));
            Assert.Equal(answers.Count(r => r.StatusCode == HttpStatusCode.Created), merges.Count);

            // Every interaction is on exactly one customer still standing, and every merged one leads to a survivor.
            var subjects = new List<string>();
            foreach (var id in ids)
            {
                var answer = await MergeAndUndo.Unfollowed(fixture.Web, supervisor).GetAsync($"/api/customers/{id}");
                if (answer.StatusCode == HttpStatusCode.OK)
                {
                    subjects.AddRange(await MergeAndUndo.SubjectsAsync(supervisor, id));
                }
                else
                {
                    Assert.Equal(HttpStatusCode.PermanentRedirect, answer.StatusCode);
                }
            }

            Assert.Equal(["A 1", "A 2", "B 1", "B 2", "C 1", "C 2", "D 1", "D 2"], subjects.Order());

            // Every merge let go of what it held: the customers still standing can be merged, and deleted.
            var standing = new List<string>();
            foreach (var id in ids)
            {
                if ((await MergeAndUndo.Unfollowed(fixture.Web, supervisor).GetAsync($"/api/customers/{id}")).StatusCode == HttpStatusCode.OK)
                {
                    standing.Add(id);
                }
            }

            if (standing.Count > 1)
            {
                Assert.Equal(HttpStatusCode.Created, (await supervisor.Client.PostAsJsonAsync("/api/merges", new { survivorId = standing[0], mergedIds = standing[1..] })).StatusCode);
            }

            Assert.Equal(HttpStatusCode.NoContent, (await supervisor.Client.DeleteAsync($"/api/customers/{standing[0]}")).StatusCode);
        }
    }

    [Fact]
    public async Task A_customer_held_by_a_merge_is_neither_deleted_nor_taken_by_another_merge_until_it_is_let_go()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var (a, b) = (await MergeAndUndo.CreateAsync(supervisor, new { displayName = "A" }), await MergeAndUndo.CreateAsync(supervisor, new { displayName = "B" }));
        var elsewhere = await UnderWayAsync(supervisor.Tenant, b, "c");
        var held = Customer(supervisor.Tenant, b);
        await held.ReserveForMergeAsync(elsewhere.Id);

        var deleted = await supervisor.Client.DeleteAsync($"/api/customers/{b}");
        var merged = await supervisor.Client.PostAsJsonAsync("/api/merges", new { survivorId = a, mergedIds = new[] { b } });

        Assert.Equal(HttpStatusCode.Conflict, deleted.StatusCode);
        Assert.Contains(elsewhere.Id.ToString(), (await deleted.ReadJsonAsync()).GetRawText());
        Assert.Equal(HttpStatusCode.Conflict, merged.StatusCode);
        Assert.NotEmpty(await merged.ErrorsForAsync("mergedIds"));
        // The refused merge is forgotten (it changed nothing); only the one under way is listed.
        var listed = Assert.Single((await (await supervisor.Client.GetAsync("/api/merges")).ReadJsonAsync()).GetProperty("items").EnumerateArray());
        Assert.Equal(elsewhere.Id.ToString(), listed.GetProperty("id").GetString());

        // The refused merge let go of the survivor it had taken: it can be merged, and deleted.
        var c = await MergeAndUndo.CreateAsync(supervisor, new { displayName = "C" });
        Assert.Equal(HttpStatusCode.Created, (await supervisor.Client.PostAsJsonAsync("/api/merges", new { survivorId = a, mergedIds = new[] { c } })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await supervisor.Client.DeleteAsync($"/api/customers/{a}")).StatusCode);

        // A merge that ended without letting go (its last step failed) holds nothing: the hold is dropped when it is in the way.
        await Log.SaveAsync(elsewhere with { Status = MergeStatus.Completed });
        Assert.Equal(HttpStatusCode.NoContent, (await supervisor.Client.DeleteAsync($"/api/customers/{b}")).StatusCode);
    }

    [Fact]
    public async Task A_merge_retried_with_its_id_answers_the_merge_it_made_and_an_id_is_one_merge()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var (a, b, c) = (await MergeAndUndo.CreateAsync(supervisor, new { displayName = "A" }), await MergeAndUndo.CreateAsync(supervisor, new { displayName = "B" }), await MergeAndUndo.CreateAsync(supervisor, new { displayName = "C" }));
        var id = Guid.NewGuid();
        var body = new { id, survivorId = a, mergedIds = new[] { b } };

        var first = await supervisor.Client.PostAsJsonAsync("/api/merges", body);
        var version = (await MergeAndUndo.GetAsync(supervisor, a)).GetProperty("version").GetInt64();
        var retried = await supervisor.Client.PostAsJsonAsync("/api/merges", body);
        var another = await supervisor.Client.PostAsJsonAsync("/api/merges", new { id, survivorId = a, mergedIds = new[] { c } });
        var otherChoices = await supervisor.Client.PostAsJsonAsync("/api/merges", new { id, survivorId = a, mergedIds = new[] { b }, fields = new { displayName = b } });
        var zeros = await supervisor.Client.PostAsJsonAsync("/api/merges", new { id = Guid.Empty, survivorId = a, mergedIds = new[] { c } });

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.StatusCode, retried.StatusCode));
        Assert.Equal(id.ToString(), (await retried.ReadJsonAsync()).GetProperty("id").GetString());
        Assert.Equal(version, (await MergeAndUndo.GetAsync(supervisor, a)).GetProperty("version").GetInt64());
        Assert.Equal(HttpStatusCode.Conflict, another.StatusCode);
        Assert.NotEmpty(await otherChoices.ErrorsForAsync("id"));
        Assert.NotEmpty(await zeros.ErrorsForAsync("id"));
        Assert.Equal(HttpStatusCode.OK, (await supervisor.Client.GetAsync($"/api/customers/{c}")).StatusCode);
        Assert.Single((await (await supervisor.Client.GetAsync("/api/merges")).ReadJsonAsync()).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task The_survivor_composes_the_merge_from_itself_as_it_is_and_each_step_asked_again_changes_nothing()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var survivorId = await MergeAndUndo.CreateAsync(supervisor, new { displayName = "Ada", emails = new[] { "ada@analytical.example" } });
        var mergedId = await MergeAndUndo.CreateAsync(supervisor, new { displayName = "Countess", company = "Analytical Engines", emails = new[] { "countess@lovelace.example" } });
        await MergeAndUndo.LogAsync(supervisor, mergedId, "countess 1");
        var mergeId = (await UnderWayAsync(supervisor.Tenant, survivorId, mergedId)).Id;
        var (survivor, merged) = (Customer(supervisor.Tenant, survivorId), Customer(supervisor.Tenant, mergedId));
        await survivor.ReserveForMergeAsync(mergeId);
        var before = await merged.ReserveForMergeAsync(mergeId);

        // Changed after the merge took hold of it, before it took the others over: kept.
        var edited = await supervisor.Client.PatchAsync($"/api/customers/{survivorId}", new StringContent("""{"jobTitle":"Mathematician","consent":{"email":"granted"}}""", Encoding.UTF8, "application/merge-patch+json"));
        Assert.True(edited.IsSuccessStatusCode, await edited.Content.ReadAsStringAsync());
        var markedMerged = await merged.MergeIntoAsync(survivorId, mergeId) ?? before;
        var fields = ImmutableDictionary<string, string>.Empty.Add("company", mergedId);
        var survived = await survivor.TakeOverAsync(mergeId, [markedMerged], fields, Tester);
        var version = (await survivor.GetAsync())!.Version;
        var again = await survivor.TakeOverAsync(mergeId, [markedMerged], fields, Tester);

        Assert.Equal("Mathematician", survived.After.JobTitle);
        Assert.Equal("Analytical Engines", survived.After.Company);
        Assert.Equal(ConsentStatus.Granted, survived.After.Consent[ConsentChannel.Email].Status);
        Assert.Equal("Mathematician", survived.Before.Profile.JobTitle);
        Assert.Equal(survived, again);
        Assert.Equal(version, (await survivor.GetAsync())!.Version);
        Assert.Equal(["countess 1"], await MergeAndUndo.SubjectsAsync(supervisor, survivorId));
        // Held until the merge lets go, once it is recorded: then another merge may have it.
        var next = (await UnderWayAsync(supervisor.Tenant, survivorId, "other")).Id;
        await Assert.ThrowsAsync<MergeRefusedException>(() => survivor.ReserveForMergeAsync(next));
        await survivor.ReleaseMergeAsync(mergeId);
        await survivor.ReserveForMergeAsync(next);
        await survivor.ReleaseMergeAsync(next);

        var record = new MergeRecord
        {
            Id = mergeId,
            TenantId = supervisor.Tenant,
            Request = new MergeRequest(survivorId, [mergedId], fields),
            Status = MergeStatus.Undoing,
            MergedBy = Tester,
            Before = [survived.Before, markedMerged],
            After = survived.After,
            UndoneBy = Tester,
        };
        await Assert.ThrowsAsync<MergeRefusedException>(() => survivor.UndoMergeAsync(record, Tester));
        await survivor.ReserveForMergeAsync(mergeId);
        var undone = await survivor.UndoMergeAsync(record, Tester);
        var undoneAgain = await survivor.UndoMergeAsync(record, Tester);
        var restored = await merged.RestoreFromMergeAsync(mergeId, markedMerged, Tester);
        var restoredAgain = await merged.RestoreFromMergeAsync(mergeId, markedMerged, Tester);
        await survivor.ReleaseMergeAsync(mergeId);
        await merged.ReleaseMergeAsync(mergeId);

        Assert.Equal(undone.Version, undoneAgain.Version);
        Assert.Equal(restored.Version, restoredAgain.Version);
        Assert.Null(undone.Profile.Company);
        Assert.Equal("Mathematician", undone.Profile.JobTitle);
        Assert.Equal("Analytical Engines", restored.Profile.Company);
        Assert.Empty(await MergeAndUndo.SubjectsAsync(supervisor, survivorId));
        Assert.Equal(["countess 1"], await MergeAndUndo.SubjectsAsync(supervisor, mergedId));
        Assert.Equal(HttpStatusCode.NoContent, (await supervisor.Client.DeleteAsync($"/api/customers/{survivorId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await supervisor.Client.DeleteAsync($"/api/customers/{mergedId}")).StatusCode);
    }

    [Fact]
    public async Task A_merge_rolled_back_before_the_survivor_took_over_leaves_the_customer_itself_with_what_it_gained()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var survivorId = await MergeAndUndo.CreateAsync(supervisor, new { displayName = "Survivor" });
        var mergedId = await MergeAndUndo.CreateAsync(supervisor, new { displayName = "Merged", emails = new[] { "merged@example.com" } });
        await MergeAndUndo.LogAsync(supervisor, mergedId, "before");
        var mergeId = (await UnderWayAsync(supervisor.Tenant, survivorId, mergedId)).Id;
        var merged = Customer(supervisor.Tenant, mergedId);
        await merged.ReserveForMergeAsync(mergeId);
        var edited = await supervisor.Client.PatchAsync($"/api/customers/{mergedId}", new StringContent("""{"jobTitle":"Engineer"}""", Encoding.UTF8, "application/merge-patch+json"));
        Assert.True(edited.IsSuccessStatusCode, await edited.Content.ReadAsStringAsync());
        await merged.MergeIntoAsync(survivorId, mergeId);
        Assert.Equal(HttpStatusCode.PermanentRedirect, (await MergeAndUndo.Unfollowed(fixture.Web, supervisor).GetAsync($"/api/customers/{mergedId}")).StatusCode);

        await merged.RollBackMergeIntoAsync(mergeId);
        var back = await MergeAndUndo.GetAsync(supervisor, mergedId);
        await merged.RollBackMergeIntoAsync(mergeId);

        Assert.Equal("Engineer", back.GetProperty("jobTitle").GetString());
        Assert.Equal(back.GetProperty("version").GetInt64(), (await MergeAndUndo.GetAsync(supervisor, mergedId)).GetProperty("version").GetInt64());
        Assert.Equal(["before"], await MergeAndUndo.SubjectsAsync(supervisor, mergedId));
        Assert.Equal(HttpStatusCode.NoContent, (await supervisor.Client.DeleteAsync($"/api/customers/{mergedId}")).StatusCode);
    }

    [Fact]
    public async Task Events_for_a_customer_in_a_merge_under_way_wait_for_it_and_a_rolled_back_merge_keeps_them()
    {
        var admin = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Admin);
        var source = await TestSource.CreateAsync(fixture.Web, admin);
        var survivorId = await MergeAndUndo.CreateAsync(admin, new { displayName = "Survivor" });
        var mergedId = await MergeAndUndo.CreateAsync(admin, new { displayName = "Merged", emails = new[] { "in-the-window@example.com" } });
        var record = await UnderWayAsync(admin.Tenant, survivorId, mergedId);
        var merged = Customer(admin.Tenant, mergedId);
        await merged.ReserveForMergeAsync(record.Id);
        await merged.MergeIntoAsync(survivorId, record.Id);

        var sent = await source.SendAsync("track", new { anonymousId = "window-visitor", @event = "Order Completed", context = new { traits = new { email = "in-the-window@example.com" } } });
        sent.EnsureSuccessStatusCode();
        // Long enough for the ingest path to have applied it somewhere, had it not waited.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Empty(await MergeAndUndo.SubjectsAsync(admin, survivorId));

        await merged.RollBackMergeIntoAsync(record.Id);
        await Log.SaveAsync(record with { Status = MergeStatus.Failed, Failure = new MergeFailure("survivorId", "Rolled back by the test.") });

        await Eventually.ReturnsAsync(() => MergeAndUndo.SubjectsAsync(admin, mergedId), subjects => subjects.Contains("Order Completed"));
        Assert.Empty(await MergeAndUndo.SubjectsAsync(admin, survivorId));
    }

    [Fact]
    public async Task Events_for_a_customer_in_a_merge_stuck_for_longer_than_the_wait_go_on_to_the_survivor()
    {
        var admin = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Admin);
        var source = await TestSource.CreateAsync(fixture.Web, admin);
        var survivorId = await MergeAndUndo.CreateAsync(admin, new { displayName = "Survivor" });
        var mergedId = await MergeAndUndo.CreateAsync(admin, new { displayName = "Merged", emails = new[] { "stuck@example.com" } });
        var record = await UnderWayAsync(admin.Tenant, survivorId, mergedId, DateTimeOffset.UtcNow - CustomerGrain.MaxMergeWait - TimeSpan.FromSeconds(1));
        var merged = Customer(admin.Tenant, mergedId);
        await merged.ReserveForMergeAsync(record.Id);
        await merged.MergeIntoAsync(survivorId, record.Id);

        (await source.SendAsync("track", new { anonymousId = "stuck-visitor", @event = "Order Completed", context = new { traits = new { email = "stuck@example.com" } } })).EnsureSuccessStatusCode();

        await Eventually.ReturnsAsync(() => MergeAndUndo.SubjectsAsync(admin, survivorId), subjects => subjects.Contains("Order Completed"));
    }

    [Fact]
    public async Task A_merge_resumed_after_its_customers_were_let_go_fails_puts_them_back_and_says_why()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var survivorId = await MergeAndUndo.CreateAsync(supervisor, new { displayName = "Survivor" });
        var mergedId = await MergeAndUndo.CreateAsync(supervisor, new { displayName = "Merged" });
        await MergeAndUndo.LogAsync(supervisor, mergedId, "kept");
        // Recorded as if it had held both and crashed; meanwhile its holds were dropped (it looked ended).
        var record = await UnderWayAsync(supervisor.Tenant, survivorId, mergedId) with
        {
            Before = [(await Customer(supervisor.Tenant, survivorId).GetAsync())!, (await Customer(supervisor.Tenant, mergedId).GetAsync())!],
        };
        await Log.SaveAsync(record);

        var resumed = await supervisor.Client.PostAsJsonAsync("/api/merges", new { id = record.Id, survivorId, mergedIds = new[] { mergedId } });
        var listed = await (await supervisor.Client.GetAsync($"/api/merges/{record.Id}")).ReadJsonAsync();
        var undo = await supervisor.Client.PostAsync($"/api/merges/{record.Id}/undo", null);

        Assert.Equal(HttpStatusCode.Conflict, resumed.StatusCode);
        Assert.Equal("failed", listed.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(listed.GetProperty("failure").GetProperty("reason").GetString()));
        Assert.Equal(HttpStatusCode.Conflict, undo.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await MergeAndUndo.Unfollowed(fixture.Web, supervisor).GetAsync($"/api/customers/{mergedId}")).StatusCode);
        Assert.Equal(["kept"], await MergeAndUndo.SubjectsAsync(supervisor, mergedId));
        Assert.Equal(HttpStatusCode.Created, (await supervisor.Client.PostAsJsonAsync("/api/merges", new { survivorId, mergedIds = new[] { mergedId } })).StatusCode);
    }

    private IMergeLog Log => fixture.Web.Services.GetRequiredService<IMergeLog>();

    /// <summary>A merge recorded as under way, as its grain records it before it holds any customer.</summary>
    private async Task<MergeRecord> UnderWayAsync(string tenant, string survivorId, string mergedId, DateTimeOffset? mergedAt = null)
    {
        var record = new MergeRecord
        {
            Id = Guid.NewGuid(),
            TenantId = tenant,
            Request = new MergeRequest(survivorId, [mergedId], ImmutableDictionary<string, string>.Empty),
            Status = MergeStatus.Merging,
            MergedBy = Tester,
            MergedAt = mergedAt ?? DateTimeOffset.UtcNow,
        };
        await Log.SaveAsync(record);
        return record;
    }

    private ICustomerGrain Customer(string tenant, string id) =>
        fixture.Web.Services.GetRequiredService<IGrainFactory>().GetGrain<ICustomerGrain>(new CustomerKey(tenant, id).ToString());
}
