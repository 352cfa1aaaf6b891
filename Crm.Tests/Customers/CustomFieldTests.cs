using System.Net;
using System.Net.Http.Json;
using System.Text;
using Crm.Security;
using Crm.Tests.Infrastructure;
using static Crm.Tests.Imports.Imports;

namespace Crm.Tests.Customers;

/// <summary>Custom fields a tenant defines type its customers' attributes wherever they are set: the API and imports.</summary>
[Collection(EmbeddedWebCollection.Name)]
public sealed class CustomFieldTests(EmbeddedWebFixture fixture)
{
    [Fact]
    public async Task Defined_fields_take_only_their_values_from_the_api_and_a_value_stored_before_the_definition_keeps()
    {
        var tenant = TestTenants.New();
        var (admin, agent) = (await fixture.Web.SignInAsync(tenant, Roles.Admin), await fixture.Web.SignInAsync(tenant));
        var legacy = await CreateAsync(agent, new { displayName = "Before", attributes = new { plan = "legacy" } });
        await DefineAsync(admin);

        var ok = await agent.Client.PostAsJsonAsync("/api/customers", new { displayName = "Ada", attributes = new { plan = "PRO", seats = "12", renewal = "2027-01-31", vip = true } });
        var bad = await agent.Client.PostAsJsonAsync("/api/customers", new { displayName = "Bob", attributes = new { plan = "gold", seats = "many", renewal = "31/01/2027", vip = "perhaps" } });
        var edited = await agent.Client.PatchAsync($"/api/customers/{legacy}", new StringContent("""{"company":"Still fine"}""", Encoding.UTF8, "application/merge-patch+json"));

        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        var attributes = (await ok.ReadJsonAsync()).GetProperty("attributes");
        Assert.Equal("pro", attributes.GetProperty("plan").GetString());
        Assert.Equal(12, attributes.GetProperty("seats").GetInt32());
        Assert.True(attributes.GetProperty("vip").GetBoolean());
        Assert.Contains("basic, pro", (await bad.ErrorsForAsync("attributes.plan"))[0]);
        Assert.NotEmpty(await bad.ErrorsForAsync("attributes.seats"));
        Assert.NotEmpty(await bad.ErrorsForAsync("attributes.renewal"));
        Assert.NotEmpty(await bad.ErrorsForAsync("attributes.vip"));
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal("legacy", (await edited.ReadJsonAsync()).GetProperty("attributes").GetProperty("plan").GetString());
        var fields = (await (await agent.Client.GetAsync("/api/fields")).ReadJsonAsync()).GetProperty("items");
        Assert.Equal(["code", "plan", "renewal", "seats", "vip"], fields.EnumerateArray().Select(f => f.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Imported_cells_are_read_as_their_fields_types_and_a_value_outside_them_rejects_its_row()
    {
        var tenant = TestTenants.New();
        var (admin, supervisor) = (await fixture.Web.SignInAsync(tenant, Roles.Admin), await fixture.Web.SignInAsync(tenant, Roles.Supervisor));
        await DefineAsync(admin);
        var file = Utf8("id,plan,vip,code,seats\nf-1,Basic,yes,01234,3\nf-2,gold,no,,2\n");

        var job = await FinishedAsync(supervisor.Client, await StartAsync(supervisor.Client, file, "fields.csv",
            new { id = "externalId", plan = "attributes.plan", vip = "attributes.vip", code = "attributes.code", seats = "attributes.seats" }));

        Assert.Equal((1, 0, 0, 1, 2), Counts(job));
        Assert.Contains("2,plan,gold,", await RejectedAsync(supervisor.Client, job.GetProperty("id").GetString()!));
        var page = await Eventually.ReturnsAsync(async () => await (await supervisor.Client.GetAsync("/api/customers?query=f-1")).ReadJsonAsync(), p => p.GetProperty("items").GetArrayLength() == 1);
        var attributes = (await (await supervisor.Client.GetAsync($"/api/customers/{page.GetProperty("items")[0].GetProperty("id").GetString()}")).ReadJsonAsync()).GetProperty("attributes");
        Assert.Equal("basic", attributes.GetProperty("plan").GetString());
        Assert.True(attributes.GetProperty("vip").GetBoolean());
        Assert.Equal("01234", attributes.GetProperty("code").GetString());
        Assert.Equal(3, attributes.GetProperty("seats").GetInt32());
    }

    [Fact]
    public async Task Only_admins_define_fields_and_a_definition_that_makes_no_sense_is_named()
    {
        var tenant = TestTenants.New();
        var (admin, supervisor) = (await fixture.Web.SignInAsync(tenant, Roles.Admin), await fixture.Web.SignInAsync(tenant, Roles.Supervisor));

        Assert.Equal(HttpStatusCode.Forbidden, (await supervisor.Client.PutAsJsonAsync("/api/fields/plan", new { type = "text" })).StatusCode);
        Assert.NotEmpty(await (await admin.Client.PutAsJsonAsync("/api/fields/plan", new { type = "oneOf" })).ErrorsForAsync("options"));
        Assert.NotEmpty(await (await admin.Client.PutAsJsonAsync("/api/fields/plan", new { type = "number", options = new[] { "a" } })).ErrorsForAsync("options"));
        Assert.NotEmpty(await (await admin.Client.PutAsJsonAsync("/api/fields/plan", new { type = "colour" })).ErrorsForAsync("type"));
        Assert.NotEmpty(await (await admin.Client.PutAsJsonAsync("/api/fields/9lives", new { type = "text" })).ErrorsForAsync("name"));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Client.DeleteAsync("/api/fields/plan")).StatusCode);
    }

    private static async Task DefineAsync(TestUser admin)
    {
        foreach (var (name, field) in new (string, object)[]
        {
            ("plan", new { label = "Plan", type = "oneOf", options = new[] { "basic", "pro" } }),
            ("seats", new { label = "Seats", type = "number" }),
            ("renewal", new { label = "Renewal", type = "date" }),
            ("vip", new { label = "VIP", type = "boolean" }),
            ("code", new { label = "Customer code", type = "text" }),
        })
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.Client.PutAsJsonAsync($"/api/fields/{name}", field)).StatusCode);
        }
    }

    private static async Task<string> CreateAsync(TestUser user, object profile) =>
        (await (await user.Client.PostAsJsonAsync("/api/customers", profile)).ReadJsonAsync()).GetProperty("id").GetString()!;
}
