using System.Net;
using System.Net.Http.Json;
using Crm.Security;
using Crm.Tests.Infrastructure;
using static Crm.Tests.Imports.Imports;

namespace Crm.Tests.Imports;

/// <summary>Values as people write them become one normalized form, by the same rules in the API and imports; what cannot be is refused, never changed.</summary>
[Collection(EmbeddedWebCollection.Name)]
public sealed class CleaningTests(EmbeddedWebFixture fixture)
{
    [Fact]
    public async Task Countries_written_as_names_in_several_languages_or_as_codes_become_their_iso_code_everywhere()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var file = Utf8("id,country\nk-1,Deutschland\nk-2,España\nk-3,UK\nk-4,fra\nk-5,Atlantis\nk-6,  united states \n");

        var job = await FinishedAsync(supervisor.Client, await StartAsync(supervisor.Client, file, "countries.csv", new { id = "externalId", country = "country" }));
        var api = await supervisor.Client.PostAsJsonAsync("/api/customers", new { displayName = "Api", country = "Schweiz", address = new { country = "Österreich" } });
        var wrong = await supervisor.Client.PostAsJsonAsync("/api/customers", new { displayName = "Wrong", country = "Narnia" });

        Assert.Equal((5, 0, 0, 1, 6), Counts(job));
        Assert.Contains("5,country,Atlantis,", await RejectedAsync(supervisor.Client, job.GetProperty("id").GetString()!));
        foreach (var (id, country) in new[] { ("k-1", "DE"), ("k-2", "ES"), ("k-3", "GB"), ("k-4", "FR"), ("k-6", "US") })
        {
            Assert.Equal(country, (await ProfileAsync(supervisor, id)).GetProperty("country").GetString());
        }

        var created = await api.ReadJsonAsync();
        Assert.Equal(("CH", "AT"), (created.GetProperty("country").GetString(), created.GetProperty("address").GetProperty("country").GetString()));
        Assert.NotEmpty(await wrong.ErrorsForAsync("country"));
    }

    [Fact]
    public async Task Numbers_and_dates_are_read_in_the_culture_the_import_names()
    {
        var tenant = TestTenants.New();
        var (admin, supervisor) = (await fixture.Web.SignInAsync(tenant, Roles.Admin), await fixture.Web.SignInAsync(tenant, Roles.Supervisor));
        await admin.Client.PutAsJsonAsync("/api/fields/renewal", new { type = "date" });
        await admin.Client.PutAsJsonAsync("/api/fields/credit", new { type = "number" });
        var file = Utf8("id;credit;renewal;ratio\nd-1;1234,5;31.01.2027;0,25\nd-2;viel;2027-02-28;1\n");

        var job = await FinishedAsync(supervisor.Client, await StartAsync(supervisor.Client, file, "de.csv",
            new { id = "externalId", credit = "attributes.credit", renewal = "attributes.renewal", ratio = "attributes.ratio" }, ("culture", "de-DE")));
        var unknown = await supervisor.Client.PostAsync("/api/imports", Form(file, "de.csv", new { id = "externalId" }, ("culture", "xx-Nowhere")));

        Assert.Equal((1, 0, 0, 1, 2), Counts(job));
        var attributes = (await ProfileAsync(supervisor, "d-1")).GetProperty("attributes");
        Assert.Equal(1234.5m, attributes.GetProperty("credit").GetDecimal());
        Assert.Equal("2027-01-31", attributes.GetProperty("renewal").GetString());
        Assert.Equal(0.25m, attributes.GetProperty("ratio").GetDecimal());
        Assert.NotEmpty(await unknown.ErrorsForAsync("culture"));
    }

    [Fact]
    public async Task The_telco_churn_data_set_imports_every_customer_and_again_changes_nothing()
    {
        var tenant = TestTenants.New();
        var (admin, supervisor) = (await fixture.Web.SignInAsync(tenant, Roles.Admin), await fixture.Web.SignInAsync(tenant, Roles.Supervisor));
        await admin.Client.PutAsJsonAsync("/api/fields/Contract", new { type = "oneOf", options = new[] { "Month-to-month", "One year", "Two year" } });
        await admin.Client.PutAsJsonAsync("/api/fields/TotalCharges", new { type = "number" });
        var file = await File.ReadAllBytesAsync(Path.Combine(Repository.Root, "Crm.Web", "Demo", "Data", "telco-churn.csv"));
        var rows = File.ReadLines(Path.Combine(Repository.Root, "Crm.Web", "Demo", "Data", "telco-churn.csv")).Count() - 1;
        var preview = await (await supervisor.Client.PostAsync("/api/imports/preview", Form(file, "telco-churn.csv", null))).ReadJsonAsync();
        var mapping = preview.GetProperty("suggestedMapping").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

        var first = await FinishedAsync(supervisor.Client, await StartAsync(supervisor.Client, file, "telco-churn.csv", mapping));
        var second = await FinishedAsync(supervisor.Client, await StartAsync(supervisor.Client, file, "telco-churn.csv", mapping));

        Assert.Equal("externalId", mapping["customerID"]);
        Assert.Equal("attributes.Contract", mapping["Contract"]);
        Assert.Equal((rows, 0, 0, 0, rows), Counts(first));
        Assert.Equal((0, 0, rows, 0, rows), Counts(second));
        var customer = await ProfileAsync(supervisor, "7590-VHVEG");
        Assert.Equal("Month-to-month", customer.GetProperty("attributes").GetProperty("Contract").GetString());
        Assert.Equal(29.85m, customer.GetProperty("attributes").GetProperty("TotalCharges").GetDecimal());
    }

    private static async Task<System.Text.Json.JsonElement> ProfileAsync(TestUser user, string query)
    {
        var page = await Eventually.ReturnsAsync(
            async () => await (await user.Client.GetAsync($"/api/customers?query={Uri.EscapeDataString(query)}")).ReadJsonAsync(), p => p.GetProperty("items").GetArrayLength() == 1);
        return await (await user.Client.GetAsync($"/api/customers/{page.GetProperty("items")[0].GetProperty("id").GetString()}")).ReadJsonAsync();
    }
}
