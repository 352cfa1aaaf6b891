using System.Net;
using System.Net.Http.Json;
using Crm.Security;
using Crm.Tests.Infrastructure;
using static Crm.Tests.Imports.Imports;

namespace Crm.Tests.Imports;

/// <summary>What comes around an import: looking at a file first, saved mappings, and stopping one halfway.</summary>
[Collection(EmbeddedWebCollection.Name)]
public sealed class ImportSetupTests(EmbeddedWebFixture fixture)
{
    private static readonly byte[] File = Utf8("""
        Customer No,First Name,Surname,Contact,Mobile,Monthly charges
        1001,Ada,Lovelace,ada@example.com,+44 7700 900141,29.5
        1002,Grace,Hopper,grace@example.com,+1 202 555 0143,99
        """);

    [Fact]
    public async Task A_preview_shows_the_columns_with_their_first_values_and_suggests_a_field_for_each_from_its_header_or_its_values()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);

        var preview = await (await supervisor.Client.PostAsync("/api/imports/preview", Form(File, "export.csv", null))).ReadJsonAsync();

        Assert.Equal("csv", preview.GetProperty("format").GetString());
        Assert.Equal(["Customer No", "First Name", "Surname", "Contact", "Mobile", "Monthly charges"],
            preview.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(["ada@example.com", "grace@example.com"], preview.GetProperty("columns")[3].GetProperty("samples").EnumerateArray().Select(v => v.GetString()));
        var suggested = preview.GetProperty("suggestedMapping").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(new Dictionary<string, string?>
        {
            ["Customer No"] = "externalId", ["First Name"] = "givenName", ["Surname"] = "familyName", ["Contact"] = "emails",
            ["Mobile"] = "phones", ["Monthly charges"] = "attributes.Monthly_charges",
        }, suggested);
    }

    [Fact]
    public async Task A_preview_reads_the_file_in_the_format_the_form_names_whatever_its_name_says()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var lines = Utf8("{\"email\":\"ada@example.com\",\"name\":\"Ada\"}\n{\"email\":\"grace@example.com\",\"name\":\"Grace\"}\n");

        var preview = await (await supervisor.Client.PostAsync("/api/imports/preview", Form(lines, "export.txt", null, ("format", "jsonl")))).ReadJsonAsync();
        var unknown = await supervisor.Client.PostAsync("/api/imports/preview", Form(lines, "export.txt", null, ("format", "xml")));

        Assert.Equal("jsonl", preview.GetProperty("format").GetString());
        Assert.Equal(["email", "name"], preview.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()).Order());
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("format", Assert.Single((await unknown.ReadJsonAsync()).GetProperty("errors").EnumerateObject()).Name);
    }

    [Fact]
    public async Task A_saved_template_imports_a_file_by_its_name_and_an_unknown_one_is_refused()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var mapping = new Dictionary<string, string> { ["Customer No"] = "externalId", ["First Name"] = "givenName", ["Surname"] = "familyName", ["Contact"] = "emails" };
        var saved = await supervisor.Client.PutAsJsonAsync("/api/imports/templates/ERP", new { kind = "customers", matchOn = "externalId", mapping });
        var invalid = await supervisor.Client.PutAsJsonAsync("/api/imports/templates/Broken", new { mapping = new Dictionary<string, string> { ["x"] = "shoeSize" } });

        var job = await FinishedAsync(supervisor.Client, await StartAsync(supervisor.Client, File, "export.csv", null!, ("template", "ERP")));
        var unknown = await supervisor.Client.PostAsync("/api/imports", Form(File, "export.csv", null, ("template", "Nope")));

        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.NotEmpty(await invalid.ErrorsForAsync("mapping.x"));
        Assert.Equal((2, 0, 0, 0, 2), Counts(job));
        Assert.Contains("Nope", (await unknown.ErrorsForAsync("template"))[0]);
        Assert.Equal(["ERP"], (await (await supervisor.Client.GetAsync("/api/imports/templates")).ReadJsonAsync()).GetProperty("items").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(HttpStatusCode.NoContent, (await supervisor.Client.DeleteAsync("/api/imports/templates/ERP")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await supervisor.Client.DeleteAsync("/api/imports/templates/ERP")).StatusCode);
    }

    [Fact]
    public async Task A_cancelled_import_stops_reading_and_cannot_be_cancelled_twice()
    {
        // Small commits and little room ahead of the processors: the import is still reading when the cancel arrives.
        await using var web = new CrmWebFactory(settings: new Dictionary<string, string?>
        {
            ["Crm:Imports:RowsPerCommit"] = "10",
            ["Crm:Imports:MaxRowsAhead"] = "10",
        });
        var supervisor = await web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var file = Utf8("id,name\n" + string.Join('\n', Enumerable.Range(0, 20_000).Select(i => $"r-{i},Row {i}")) + "\n");
        var id = await StartAsync(supervisor.Client, file, "big.csv", new { id = "externalId", name = "displayName" });
        await Eventually.ReturnsAsync(async () => await (await supervisor.Client.GetAsync($"/api/imports/{id}")).ReadJsonAsync(), j => j.GetProperty("rowsRead").GetInt64() > 0);

        var cancelled = await supervisor.Client.PostAsync($"/api/imports/{id}/cancel", null);
        var again = await supervisor.Client.PostAsync($"/api/imports/{id}/cancel", null);

        Assert.Equal("cancelled", (await cancelled.ReadJsonAsync()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var stopped = (await (await supervisor.Client.GetAsync($"/api/imports/{id}")).ReadJsonAsync()).GetProperty("rowsRead").GetInt64();
        await Task.Delay(500);
        var later = await (await supervisor.Client.GetAsync($"/api/imports/{id}")).ReadJsonAsync();
        Assert.Equal(stopped, later.GetProperty("rowsRead").GetInt64());
        Assert.InRange(stopped, 1, 19_999);
    }
}
