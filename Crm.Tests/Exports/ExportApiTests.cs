using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Security;
using Crm.Tests.Infrastructure;
using static Crm.Tests.Imports.Imports;

namespace Crm.Tests.Exports;

[Collection(EmbeddedWebCollection.Name)]
public sealed class ExportApiTests(EmbeddedWebFixture fixture)
{
    [Fact]
    public async Task A_csv_export_of_a_search_imports_into_another_tenant_as_the_same_customers()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        await CreateAsync(supervisor, new { displayName = "Ada Lovelace", externalId = "c-1", emails = new[] { "ada@example.com", "ada@work.example" }, phones = new[] { "+442079460000" },
            company = "Engines", country = "GB", address = new { city = "London", postalCode = "N1" }, tags = new[] { "vip", "math" }, lifecycle = "customer" });
        await CreateAsync(supervisor, new { displayName = "Ada Byron", externalId = "c-2", jobTitle = "=HYPERLINK(\"http://evil\")" });
        await CreateAsync(supervisor, new { displayName = "Grace Hopper", externalId = "c-3" });

        var csv = await supervisor.Client.GetStringAsync("/api/exports/customers?query=ada");

        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("id,externalId,displayName,givenName,familyName,emails,phones,company", lines[0]);
        // Ada Byron comes first by name: her job title would be a formula in a spreadsheet.
        Assert.Contains("'=HYPERLINK", lines[1]);
        var other = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var columns = lines[0].Split(',').Where(c => c is not ("id" or "attributes" or "ownerId" or "createdAt" or "updatedAt")).ToDictionary(c => c, c => c);
        var job = await FinishedAsync(other.Client, await StartAsync(other.Client, Utf8(csv), "export.csv", columns));
        Assert.Equal((2, 0, 0, 0, 2), Counts(job));
        var original = await ProfileAsync(supervisor, "Lovelace");
        var imported = await ProfileAsync(other, "Lovelace");
        foreach (var field in new[] { "displayName", "externalId", "emails", "phones", "company", "country", "address", "tags", "lifecycle" })
        {
            Assert.Equal(original.GetProperty(field).GetRawText(), imported.GetProperty(field).GetRawText());
        }
    }

    [Fact]
    public async Task A_json_lines_export_holds_every_customer_of_the_tenant_in_full_and_no_one_else()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var stranger = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        await CreateAsync(stranger, new { displayName = "Not yours" });
        for (var i = 0; i < 250; i++)
        {
            await CreateAsync(supervisor, new { displayName = $"Person {i:D3}", attributes = new { seats = i } });
        }

        var response = await supervisor.Client.GetAsync("/api/exports/customers?format=jsonl");

        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("attachment", response.Content.Headers.ContentDisposition!.ToString());
        var customers = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(250, customers.Count);
        Assert.Equal(Enumerable.Range(0, 250).Select(i => $"Person {i:D3}"), customers.Select(c => c.GetProperty("displayName").GetString()));
        Assert.Equal(249, customers[^1].GetProperty("attributes").GetProperty("seats").GetInt32());
    }

    [Fact]
    public async Task Agents_may_not_export_and_an_unknown_format_is_named()
    {
        var tenant = TestTenants.New();
        var agent = await fixture.Web.SignInAsync(tenant, Roles.Agent);
        var supervisor = await fixture.Web.SignInAsync(tenant, Roles.Supervisor);

        Assert.Equal(HttpStatusCode.Forbidden, (await agent.Client.GetAsync("/api/exports/customers")).StatusCode);
        Assert.NotEmpty(await (await supervisor.Client.GetAsync("/api/exports/customers?format=xlsx")).ErrorsForAsync("format"));
    }

    private static async Task CreateAsync(TestUser user, object profile) =>
        Assert.Equal(HttpStatusCode.Created, (await user.Client.PostAsJsonAsync("/api/customers", profile)).StatusCode);

    private static async Task<JsonElement> ProfileAsync(TestUser user, string query)
    {
        var page = await Eventually.ReturnsAsync(
            async () => await (await user.Client.GetAsync($"/api/customers?query={query}")).ReadJsonAsync(), p => p.GetProperty("items").GetArrayLength() == 1);
        return await (await user.Client.GetAsync($"/api/customers/{page.GetProperty("items")[0].GetProperty("id").GetString()}")).ReadJsonAsync();
    }
}
