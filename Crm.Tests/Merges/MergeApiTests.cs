using System.Net;
using System.Net.Http.Json;
using System.Text;
using Crm.Security;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Merges;

/// <summary>Merges through the API in the embedded mode: the whole story, what is refused, who may, and automatic merges.</summary>
[Collection(EmbeddedWebCollection.Name)]
public sealed class MergeApiTests(EmbeddedWebFixture fixture)
{
    [Fact]
    public Task Three_customers_merged_and_the_merge_undone() => MergeAndUndo.RunAsync(fixture.Web);

    [Fact]
    public async Task A_merge_that_cannot_be_done_is_refused_naming_the_field_and_changes_nothing()
    {
        var tenant = TestTenants.New();
        var supervisor = await fixture.Web.SignInAsync(tenant, Roles.Supervisor);
        var stranger = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var (a, b) = (await MergeAndUndo.CreateAsync(supervisor, new { displayName = "A" }), await MergeAndUndo.CreateAsync(supervisor, new { displayName = "B" }));
        var elsewhere = await MergeAndUndo.CreateAsync(stranger, new { displayName = "Not yours" });

        var itself = await supervisor.Client.PostAsJsonAsync("/api/merges", new { survivorId = a, mergedIds = new[] { a } });
        var twice = await supervisor.Client.PostAsJsonAsync("/api/merges", new { survivorId = a, mergedIds = new[] { b, b } });
        var none = await supervisor.Client.PostAsJsonAsync("/api/merges", new { survivorId = a, mergedIds = Array.Empty<string>() });
        var eleven = await supervisor.Client.PostAsJsonAsync("/api/merges", new { survivorId = a, mergedIds = Enumerable.Range(0, 11).Select(i => $"c{i}").ToArray() });
        var unknownField = await supervisor.Client.PostAsJsonAsync("/api/merges", new { survivorId = a, mergedIds = new[] { b }, fields = new { shoeSize = b } });
        var outsider = await supervisor.Client.PostAsJsonAsync("/api/merges", new { survivorId = a, mergedIds = new[] { b }, fields = new { company = elsewhere } });
        var otherTenant = await supervisor.Client.PostAsJsonAsync("/api/merges", new { survivorId = a, mergedIds = new[] { elsewhere } });
        var missing = await supervisor.Client.PostAsJsonAsync("/api/merges/preview", new { survivorId = a, mergedIds = new[] { "nobody" } });
        var previewTwice = await supervisor.Client.PostAsJsonAsync("/api/merges/preview", new { survivorId = a, mergedIds = new[] { b, b } });
        var previewItself = await supervisor.Client.PostAsJsonAsync("/api/merges/preview", new { survivorId = a, mergedIds = new[] { a } });
        var noBody = await supervisor.Client.PostAsync("/api/merges", new StringContent("null", Encoding.UTF8, "application/json"));

        Assert.NotEmpty(await itself.ErrorsForAsync("mergedIds"));
        Assert.NotEmpty(await twice.ErrorsForAsync("mergedIds"));
        Assert.NotEmpty(await none.ErrorsForAsync("mergedIds"));
        Assert.NotEmpty(await previewTwice.ErrorsForAsync("mergedIds"));
        Assert.NotEmpty(await previewItself.ErrorsForAsync("mergedIds"));
        Assert.NotEmpty(await eleven.ErrorsForAsync("mergedIds"));
        Assert.NotEmpty(await unknownField.ErrorsForAsync("fields.shoeSize"));
        Assert.NotEmpty(await outsider.ErrorsForAsync("fields.company"));
        Assert.Equal(HttpStatusCode.NotFound, otherTenant.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noBody.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await supervisor.Client.GetAsync($"/api/customers/{b}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await stranger.Client.GetAsync($"/api/customers/{elsewhere}")).StatusCode);
        Assert.Empty((await (await supervisor.Client.GetAsync("/api/merges")).ReadJsonAsync()).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_merged_customer_cannot_be_merged_again_and_an_undo_waits_for_what_came_after()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var (a, b, c) = (await MergeAndUndo.CreateAsync(supervisor, new { displayName = "A" }), await MergeAndUndo.CreateAsync(supervisor, new { displayName = "B" }), await MergeAndUndo.CreateAsync(supervisor, new { displayName = "C" }));
        var first = (await (await supervisor.Client.PostAsJsonAsync("/api/merges", new { survivorId = b, mergedIds = new[] { a } })).ReadJsonAsync()).GetProperty("id").GetString();

        var mergedAgain = await supervisor.Client.PostAsJsonAsync("/api/merges", new { survivorId = c, mergedIds = new[] { a } });
        var second = (await (await supervisor.Client.PostAsJsonAsync("/api/merges", new { survivorId = c, mergedIds = new[] { b } })).ReadJsonAsync()).GetProperty("id").GetString();
        var undoFirst = await supervisor.Client.PostAsync($"/api/merges/{first}/undo", null);
        var undoSecond = await supervisor.Client.PostAsync($"/api/merges/{second}/undo", null);
        var undoFirstNow = await supervisor.Client.PostAsync($"/api/merges/{first}/undo", null);

        Assert.Equal(HttpStatusCode.Conflict, mergedAgain.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, undoFirst.StatusCode);
        Assert.Equal(HttpStatusCode.OK, undoSecond.StatusCode);
        Assert.Equal(HttpStatusCode.OK, undoFirstNow.StatusCode);
        foreach (var (id, name) in new[] { (a, "A"), (b, "B"), (c, "C") })
        {
            Assert.Equal(name, (await MergeAndUndo.GetAsync(supervisor, id)).GetProperty("displayName").GetString());
        }

        var listed = (await (await supervisor.Client.GetAsync("/api/merges?limit=1")).ReadJsonAsync());
        var next = (await (await supervisor.Client.GetAsync($"/api/merges?limit=1&cursor={Uri.EscapeDataString(listed.GetProperty("nextCursor").GetString()!)}")).ReadJsonAsync());
        Assert.Equal([second, first], new[] { listed, next }.Select(p => p.GetProperty("items")[0].GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Only_supervisors_merge_and_a_tenant_sees_only_its_own_merges()
    {
        var tenant = TestTenants.New();
        var (agent, supervisor) = (await fixture.Web.SignInAsync(tenant), await fixture.Web.SignInAsync(tenant, Roles.Supervisor));
        var stranger = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Admin);
        var (a, b) = (await MergeAndUndo.CreateAsync(agent, new { displayName = "A" }), await MergeAndUndo.CreateAsync(agent, new { displayName = "B" }));
        var body = new { survivorId = a, mergedIds = new[] { b } };

        Assert.Equal(HttpStatusCode.Forbidden, (await agent.Client.PostAsJsonAsync("/api/merges/preview", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.Client.PostAsJsonAsync("/api/merges", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.Client.GetAsync("/api/merges")).StatusCode);
        var id = (await (await supervisor.Client.PostAsJsonAsync("/api/merges", body)).ReadJsonAsync()).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.Client.PostAsync($"/api/merges/{id}/undo", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync($"/api/merges/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.PostAsync($"/api/merges/{id}/undo", null)).StatusCode);
        Assert.Empty((await (await stranger.Client.GetAsync("/api/merges")).ReadJsonAsync()).GetProperty("items").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await MergeAndUndo.Unfollowed(fixture.Web, stranger).GetAsync($"/api/customers/{b}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Web.CreateClient().GetAsync("/api/merges")).StatusCode);
    }

    [Fact]
    public async Task With_automatic_merges_on_exact_identity_matches_merge_into_the_older_and_households_wait_for_a_person()
    {
        var tenant = TestTenants.New();
        var (admin, supervisor) = (await fixture.Web.SignInAsync(tenant, Roles.Admin), await fixture.Web.SignInAsync(tenant, Roles.Supervisor));
        var settings = await (await admin.Client.GetAsync("/api/duplicates/settings")).ReadJsonAsync();
        var rules = settings.GetProperty("rules").GetRawText();
        Assert.Equal(HttpStatusCode.OK, (await admin.Client.PutAsync("/api/duplicates/settings", new StringContent($$"""{"rules":{{rules}},"autoMerge":true}""", Encoding.UTF8, "application/json"))).StatusCode);

        var older = await MergeAndUndo.CreateAsync(supervisor, new { givenName = "Ada", familyName = "Lovelace", emails = new[] { "ada@analytical.example" } });
        var newer = await MergeAndUndo.CreateAsync(supervisor, new { displayName = "A. Lovelace", externalId = "shop-77", emails = new[] { "ADA@analytical.example" } });
        var sam = await MergeAndUndo.CreateAsync(supervisor, new { givenName = "Sam", familyName = "Taylor", emails = new[] { "family@taylor.example" } });
        var alex = await MergeAndUndo.CreateAsync(supervisor, new { givenName = "Alex", familyName = "Taylor", emails = new[] { "family@taylor.example" } });

        var merges = await Eventually.ReturnsAsync(
            async () => (await (await supervisor.Client.GetAsync("/api/merges")).ReadJsonAsync()).GetProperty("items"),
            items => items.GetArrayLength() == 1 && items[0].GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(30));
        var merge = merges[0];
        Assert.Equal(older, merge.GetProperty("survivorId").GetString());
        Assert.Equal([newer], merge.GetProperty("mergedIds").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal("duplicate-detection", merge.GetProperty("mergedBy").GetProperty("id").GetString());
        Assert.Equal("shop-77", (await MergeAndUndo.GetAsync(supervisor, older)).GetProperty("externalId").GetString());
        Assert.Equal(HttpStatusCode.OK, (await MergeAndUndo.Unfollowed(fixture.Web, supervisor).GetAsync($"/api/customers/{sam}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await MergeAndUndo.Unfollowed(fixture.Web, supervisor).GetAsync($"/api/customers/{alex}")).StatusCode);
    }
}
