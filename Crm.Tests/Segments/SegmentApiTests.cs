using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.Security;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Segments;

/// <summary>Saved segments through the API: supervisors define them, everyone reads them and their members, per tenant.</summary>
[Collection(EmbeddedWebCollection.Name)]
public sealed class SegmentApiTests(EmbeddedWebFixture fixture)
{
    private const string VipsInGbOrIe = """{"all":[{"field":"tags","op":"contains","value":"VIP"},{"field":"country","op":"in","value":["GB","IE"]}]}""";

    [Fact]
    public async Task A_saved_segment_lists_its_members_and_its_count_moves_as_customers_change()
    {
        var tenant = TestTenants.New();
        var (supervisor, agent) = (await fixture.Web.SignInAsync(tenant, Roles.Supervisor), await fixture.Web.SignInAsync(tenant));
        await CreateCustomerAsync(agent, new { displayName = "Ada", tags = new[] { "vip" }, country = "GB" });
        await CreateCustomerAsync(agent, new { displayName = "Bea", tags = new[] { "vip" }, country = "IE" });
        var cy = await CreateCustomerAsync(agent, new { displayName = "Cy", country = "GB" });

        var created = await supervisor.Client.PostAsync("/api/segments", Json($$"""{"name":"VIPs in GB or IE","rules":{{VipsInGbOrIe}}}"""));
        var segment = await created.ReadJsonAsync();
        var id = segment.GetProperty("id").GetString()!;

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/segments/{id}", created.Headers.Location?.ToString());
        Assert.Equal("vip", segment.GetProperty("rules").GetProperty("all")[0].GetProperty("value").GetString());
        Assert.Equal(2, (await Eventually.ReturnsAsync(() => SegmentAsync(agent, id), s => s.GetProperty("memberCount").GetInt64() == 2)).GetProperty("memberCount").GetInt64());
        var first = await (await agent.Client.GetAsync($"/api/segments/{id}/members?limit=1")).ReadJsonAsync();
        var second = await (await agent.Client.GetAsync($"/api/segments/{id}/members?limit=1&cursor={first.GetProperty("nextCursor").GetString()}")).ReadJsonAsync();
        Assert.Equal(["Ada", "Bea"], new[] { first, second }.Select(p => p.GetProperty("items")[0].GetProperty("displayName").GetString()));

        var tagged = await agent.Client.PatchAsync($"/api/customers/{cy}", new StringContent("""{"tags":["vip"]}""", Encoding.UTF8, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, tagged.StatusCode);

        await Eventually.ReturnsAsync(() => SegmentAsync(agent, id), s => s.GetProperty("memberCount").GetInt64() == 3);
        var listed = (await (await agent.Client.GetAsync("/api/segments")).ReadJsonAsync()).GetProperty("items");
        Assert.Equal([("VIPs in GB or IE", 3L)], listed.EnumerateArray().Select(s => (s.GetProperty("name").GetString(), s.GetProperty("memberCount").GetInt64())));
    }

    [Fact]
    public async Task Editing_takes_the_version_it_was_read_at_and_names_stay_unique_until_deleted()
    {
        var tenant = TestTenants.New();
        var supervisor = await fixture.Web.SignInAsync(tenant, Roles.Supervisor);
        var vips = (await (await supervisor.Client.PostAsync("/api/segments", Json("""{"name":"VIPs","rules":{"field":"tags","op":"contains","value":"vip"}}"""))).ReadJsonAsync()).GetProperty("id").GetString();
        var leads = (await (await supervisor.Client.PostAsync("/api/segments", Json("""{"name":"Leads","rules":{"field":"lifecycle","op":"eq","value":"lead"}}"""))).ReadJsonAsync()).GetProperty("id").GetString();

        var renamed = await PutAsync(supervisor, vips!, """{"name":"Top customers","rules":{"field":"tags","op":"contains","value":"vip"}}""", "\"1\"");
        var stale = await PutAsync(supervisor, vips!, """{"name":"Stale","rules":{"field":"tags","op":"exists"}}""", "\"1\"");
        var clash = await PutAsync(supervisor, leads!, """{"name":"top CUSTOMERS","rules":{"field":"tags","op":"exists"}}""", null);
        var duplicate = await supervisor.Client.PostAsync("/api/segments", Json("""{"name":"Leads","rules":{"field":"tags","op":"exists"}}"""));
        var deleted = await supervisor.Client.DeleteAsync($"/api/segments/{leads}");
        var reused = await supervisor.Client.PostAsync("/api/segments", Json("""{"name":"Leads","rules":{"field":"tags","op":"exists"}}"""));

        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("\"2\"", renamed.Headers.ETag?.Tag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Contains("Another segment is named", (await clash.ErrorsForAsync("name"))[0]);
        Assert.Contains("Another segment is named", (await duplicate.ErrorsForAsync("name"))[0]);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await supervisor.Client.GetAsync($"/api/segments/{leads}")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, reused.StatusCode);
        Assert.Equal("Top customers", (await SegmentAsync(supervisor, vips!)).GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_segment_that_cannot_be_saved_is_a_400_naming_each_problem()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);

        var noName = await supervisor.Client.PostAsync("/api/segments", Json("""{"rules":{"field":"tags","op":"exists"}}"""));
        var noRules = await supervisor.Client.PostAsync("/api/segments", Json("""{"name":"Nothing"}"""));
        var badRule = await supervisor.Client.PostAsync("/api/segments", Json("""{"name":"Bad","rules":{"any":[{"field":"country","op":"gt","value":"GB"}]}}"""));
        var nulName = await supervisor.Client.PostAsync("/api/segments", Json("""{"name":"N\u0000L","rules":{"field":"tags","op":"exists"}}"""));
        var nulValue = await supervisor.Client.PostAsync("/api/segments", Json("""{"name":"NUL","rules":{"field":"company","op":"eq","value":"a\u0000b"}}"""));

        Assert.Equal("Required.", (await noName.ErrorsForAsync("name"))[0]);
        Assert.NotEmpty(await noRules.ErrorsForAsync("rules"));
        Assert.Contains("'gt' does not apply to country", (await badRule.ErrorsForAsync("rules.any[0].op"))[0]);
        Assert.NotEmpty(await nulName.ErrorsForAsync("name"));
        Assert.NotEmpty(await nulValue.ErrorsForAsync("rules.value"));
        Assert.Empty((await (await supervisor.Client.GetAsync("/api/segments")).ReadJsonAsync()).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Agents_read_segments_supervisors_change_them_and_tenants_see_only_their_own()
    {
        var tenant = TestTenants.New();
        var (supervisor, agent) = (await fixture.Web.SignInAsync(tenant, Roles.Supervisor), await fixture.Web.SignInAsync(tenant));
        var stranger = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Admin);
        var id = (await (await supervisor.Client.PostAsync("/api/segments", Json("""{"name":"Mine","rules":{"field":"tags","op":"exists"}}"""))).ReadJsonAsync()).GetProperty("id").GetString();

        Assert.Equal(HttpStatusCode.OK, (await agent.Client.GetAsync($"/api/segments/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await agent.Client.GetAsync($"/api/segments/{id}/members")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.Client.PostAsync("/api/segments", Json("""{"name":"Agent's","rules":{"field":"tags","op":"exists"}}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PutAsync(agent, id!, """{"name":"Agent's","rules":{"field":"tags","op":"exists"}}""", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.Client.DeleteAsync($"/api/segments/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync($"/api/segments/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync($"/api/segments/{id}/members")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.DeleteAsync($"/api/segments/{id}")).StatusCode);
        Assert.Empty((await (await stranger.Client.GetAsync("/api/segments")).ReadJsonAsync()).GetProperty("items").EnumerateArray());
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Web.CreateClient().GetAsync("/api/segments")).StatusCode);
    }

    private static async Task<string> CreateCustomerAsync(TestUser user, object profile) =>
        (await (await user.Client.PostAsJsonAsync("/api/customers", profile)).ReadJsonAsync()).GetProperty("id").GetString()!;

    private static async Task<JsonElement> SegmentAsync(TestUser user, string id) =>
        await (await user.Client.GetAsync($"/api/segments/{id}")).ReadJsonAsync();

    private static Task<HttpResponseMessage> PutAsync(TestUser user, string id, string body, string? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/segments/{id}") { Content = Json(body) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return user.Client.SendAsync(request);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
