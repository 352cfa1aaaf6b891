using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Crm.Tests.Duplicates;

/// <summary>The duplicates queue through the API in the embedded mode: what it finds, how it keeps up, who may do what.</summary>
[Collection(EmbeddedWebCollection.Name)]
public sealed class DuplicateApiTests(EmbeddedWebFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Finds_the_known_duplicates_and_not_the_lookalikes()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var ids = await KnownDuplicates.CreateAsync(supervisor);

        var found = await KnownDuplicates.ScanAsync(supervisor, ids.Count);

        DuplicateQuality.AssertPrecisionAndRecall(ids, found, output);
        var byPerson = found.ToDictionary(KnownDuplicates.Ids);
        Assert.Contains("given and family names swapped", Reasons(byPerson, ids, "wei"));
        Assert.Contains(Reasons(byPerson, ids, "robert"), r => r is "nickname: bob is robert" or "nickname: robert is bob");
        Assert.Contains("dateOfBirth with day and month swapped", Reasons(byPerson, ids, "liam"));
        Assert.True(byPerson[KnownDuplicates.Pair(ids[12], ids[13])].GetProperty("exactIdentity").GetBoolean());
        Assert.Equal(byPerson.Values.Select(p => p.GetProperty("score").GetDouble()).OrderDescending(), byPerson.Values.Select(p => p.GetProperty("score").GetDouble()));
        var everything = await KnownDuplicates.ListAsync(supervisor, minScore: 0);
        Assert.Equal(found.Select(KnownDuplicates.Ids), everything.Select(KnownDuplicates.Ids));
    }

    [Fact]
    public async Task A_customer_changed_after_the_scan_is_checked_again_and_a_dismissed_pair_stays_dismissed()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var ada = await CreateAsync(supervisor, new { givenName = "Ada", familyName = "Lovelace", emails = new[] { "ada@analytical.example" }, address = new { postalCode = "N1 9GU" } });
        var bea = await CreateAsync(supervisor, new { givenName = "Beatrice", familyName = "Byron", emails = new[] { "bea@byron.example" }, address = new { postalCode = "N1 9GU" } });
        Assert.Empty(await KnownDuplicates.ScanAsync(supervisor, 2));

        await supervisor.Client.PatchAsJsonAsync($"/api/customers/{bea}", new { givenName = "Ada", familyName = "Lovelace" });
        var pair = Assert.Single(await Eventually.ReturnsAsync(() => KnownDuplicates.ListAsync(supervisor), items => items.Count == 1));
        Assert.Equal(KnownDuplicates.Pair(ada, bea), KnownDuplicates.Ids(pair));
        Assert.Equal([ada, bea], pair.GetProperty("customers").EnumerateArray().Select(c => c.GetProperty("id").GetString()).Order(StringComparer.Ordinal));

        var dismissed = await supervisor.Client.PostAsJsonAsync("/api/duplicates/dismiss", new { customerIds = new[] { bea, ada } });
        await supervisor.Client.PatchAsJsonAsync($"/api/customers/{bea}", new { emails = new[] { "ada@analytical.example" } });
        await KnownDuplicates.ScanAsync(supervisor, 2);

        Assert.Equal(HttpStatusCode.NoContent, dismissed.StatusCode);
        Assert.Empty(await KnownDuplicates.ListAsync(supervisor, minScore: 0));
        Assert.Equal(HttpStatusCode.NotFound, (await supervisor.Client.PostAsJsonAsync("/api/duplicates/dismiss", new { customerIds = new[] { ada, "nobody" } })).StatusCode);
    }

    [Fact]
    public async Task Rules_are_the_tenants_own_and_custom_attributes_can_be_matched()
    {
        var tenant = TestTenants.New();
        var (admin, supervisor) = (await fixture.Web.SignInAsync(tenant, Roles.Admin), await fixture.Web.SignInAsync(tenant, Roles.Supervisor));
        var other = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        await CreateAsync(supervisor, new { displayName = "Northwind", attributes = new { vatNumber = "GB123456789" } });
        await CreateAsync(supervisor, new { displayName = "North Wind Traders", attributes = new { vatNumber = "GB123456789" } });
        Assert.Empty(await KnownDuplicates.ScanAsync(supervisor, 2));

        var saved = await admin.Client.PutAsync("/api/duplicates/settings", Json(
            """{"rules":[{"field":"attributes.vatNumber","match":"exact","weight":0.9},{"field":"name","match":"fuzzy","weight":0.5}],"autoMerge":false}"""));
        var pair = Assert.Single(await KnownDuplicates.ScanAsync(supervisor, 2));

        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal("attributes.vatNumber", pair.GetProperty("reasons")[0].GetProperty("field").GetString());
        Assert.InRange(pair.GetProperty("score").GetDouble(), 0.9, 1);
        Assert.Equal(2, (await (await supervisor.Client.GetAsync("/api/duplicates/settings")).ReadJsonAsync()).GetProperty("rules").GetArrayLength());
        Assert.Equal(8, (await (await other.Client.GetAsync("/api/duplicates/settings")).ReadJsonAsync()).GetProperty("rules").GetArrayLength());
    }

    [Fact]
    public async Task Settings_that_cannot_be_used_are_a_400_naming_the_rule_and_the_field()
    {
        var admin = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Admin);

        var unknownField = await admin.Client.PutAsync("/api/duplicates/settings", Json("""{"rules":[{"field":"shoeSize","match":"exact","weight":0.5}]}"""));
        var badWeight = await admin.Client.PutAsync("/api/duplicates/settings", Json("""{"rules":[{"field":"emails","match":"exact","weight":1.5}]}"""));
        var badMatch = await admin.Client.PutAsync("/api/duplicates/settings", Json("""{"rules":[{"field":"emails","match":"roughly","weight":0.5}]}"""));
        var twice = await admin.Client.PutAsync("/api/duplicates/settings", Json("""{"rules":[{"field":"emails","match":"exact","weight":0.5},{"field":"emails","match":"exact","weight":0.6}]}"""));
        var none = await admin.Client.PutAsync("/api/duplicates/settings", Json("""{"rules":[]}"""));
        var badQuery = await admin.Client.GetAsync("/api/duplicates?minScore=2&limit=0&cursor=zzz");

        Assert.NotEmpty(await unknownField.ErrorsForAsync("rules[0].field"));
        Assert.NotEmpty(await badWeight.ErrorsForAsync("rules[0].weight"));
        Assert.Equal(HttpStatusCode.BadRequest, badMatch.StatusCode);
        Assert.NotEmpty(await twice.ErrorsForAsync("rules[1].field"));
        Assert.NotEmpty(await none.ErrorsForAsync("rules"));
        Assert.NotEmpty(await badQuery.ErrorsForAsync("minScore"));
        Assert.NotEmpty(await badQuery.ErrorsForAsync("limit"));
        Assert.NotEmpty(await badQuery.ErrorsForAsync("cursor"));
        Assert.Equal(8, (await (await admin.Client.GetAsync("/api/duplicates/settings")).ReadJsonAsync()).GetProperty("rules").GetArrayLength());
    }

    [Fact]
    public async Task Agents_read_the_queue_supervisors_dismiss_and_scan_admins_set_rules_and_tenants_see_only_their_own()
    {
        var tenant = TestTenants.New();
        var (agent, supervisor) = (await fixture.Web.SignInAsync(tenant), await fixture.Web.SignInAsync(tenant, Roles.Supervisor));
        var stranger = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Admin);
        var a = await CreateAsync(agent, new { displayName = "Ada Lovelace", emails = new[] { "ada@analytical.example" } });
        var b = await CreateAsync(agent, new { displayName = "Ada Lovelace", emails = new[] { "ada@analytical.example" } });
        await KnownDuplicates.ScanAsync(supervisor, 2);

        Assert.Single(await KnownDuplicates.ListAsync(agent));
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.Client.PostAsJsonAsync("/api/duplicates/dismiss", new { customerIds = new[] { a, b } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.Client.PostAsync("/api/duplicates/scan", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.Client.GetAsync("/api/duplicates/settings")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await supervisor.Client.PutAsync("/api/duplicates/settings", Json("""{"rules":[{"field":"emails","match":"exact","weight":0.5}]}"""))).StatusCode);
        Assert.Empty(await KnownDuplicates.ListAsync(stranger, minScore: 0));
        // Looking does not start the work: a tenant with no customers yet has never been checked, and still has not.
        Assert.Equal("neverRun", (await (await stranger.Client.GetAsync("/api/duplicates/scan")).ReadJsonAsync()).GetProperty("status").GetString());
        Assert.Equal("neverRun", (await (await stranger.Client.GetAsync("/api/duplicates/scan")).ReadJsonAsync()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.PostAsJsonAsync("/api/duplicates/dismiss", new { customerIds = new[] { a, b } })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Web.CreateClient().GetAsync("/api/duplicates")).StatusCode);
        Assert.Single(await KnownDuplicates.ListAsync(agent));
    }

    private static IEnumerable<string> Reasons(Dictionary<(string, string), JsonElement> found, IReadOnlyList<string> ids, string person)
    {
        var records = Enumerable.Range(0, ids.Count).Where(i => KnownDuplicates.People[i].Person == person).Select(i => ids[i]).ToList();
        return found[KnownDuplicates.Pair(records[0], records[1])].GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("text").GetString()!);
    }

    private static async Task<string> CreateAsync(TestUser user, object profile) =>
        (await (await user.Client.PostAsJsonAsync("/api/customers", profile)).ReadJsonAsync()).GetProperty("id").GetString()!;

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
