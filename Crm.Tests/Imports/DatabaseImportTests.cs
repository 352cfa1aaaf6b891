using System.Net;
using System.Net.Http.Json;
using Crm.Security;
using Crm.Tests.Infrastructure;
using static Crm.Tests.Imports.Imports;

namespace Crm.Tests.Imports;

/// <summary>Customers imported from another PostgreSQL database (an ERP's) through a SELECT, read-only.</summary>
[Collection(EmbeddedWebCollection.Name)]
public sealed class DatabaseImportTests(EmbeddedWebFixture fixture) : IAsyncLifetime
{
    private TestPostgres _erp = null!;

    public async Task InitializeAsync()
    {
        _erp = await TestPostgres.CreateAsync();
        await using var database = _erp.CreateDataSource();
        await using var setup = database.CreateCommand("""
            CREATE TABLE erp_customers (no int PRIMARY KEY, name text, email text, credit numeric, since date);
            INSERT INTO erp_customers VALUES (1, 'Ada Lovelace', 'ada@example.com', 1200.50, '2020-01-31'), (2, 'Grace Hopper', 'grace@example.com', NULL, NULL),
                (3, 'Broken', 'not-an-email', 0, NULL);
            CREATE FUNCTION erp_touch() RETURNS int LANGUAGE sql AS 'INSERT INTO erp_customers VALUES (99, ''x'', NULL, NULL, NULL) RETURNING no';
            """);
        await setup.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync() => await _erp.DisposeAsync();

    [Fact]
    public async Task An_admin_registers_a_database_and_a_supervisor_imports_the_rows_of_a_select_from_it()
    {
        var tenant = TestTenants.New();
        var (admin, supervisor) = (await fixture.Web.SignInAsync(tenant, Roles.Admin), await fixture.Web.SignInAsync(tenant, Roles.Supervisor));

        var registered = await admin.Client.PostAsJsonAsync("/api/imports/databases", new { name = "ERP", connectionString = _erp.ConnectionString });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var id = (await registered.ReadJsonAsync()).GetProperty("id").GetString()!;
        var listed = await supervisor.Client.GetStringAsync("/api/imports/databases");
        Assert.Contains(_erp.Name, listed);
        Assert.DoesNotContain("Password", listed, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Username", listed, StringComparison.OrdinalIgnoreCase);

        var job = await FinishedAsync(supervisor.Client, await StartDatabaseImportAsync(supervisor, id, "SELECT no::text AS id, name, email, credit, since FROM erp_customers ORDER BY no;"));

        Assert.Equal((2, 0, 0, 1, 3), Counts(job));
        Assert.Equal("ERP", job.GetProperty("fileName").GetString());
        var ada = await Eventually.ReturnsAsync(
            async () => await (await supervisor.Client.GetAsync("/api/customers?query=Lovelace")).ReadJsonAsync(), p => p.GetProperty("items").GetArrayLength() == 1);
        var profile = await (await supervisor.Client.GetAsync($"/api/customers/{ada.GetProperty("items")[0].GetProperty("id").GetString()}")).ReadJsonAsync();
        Assert.Equal(1200.50m, profile.GetProperty("attributes").GetProperty("credit").GetDecimal());
        Assert.Equal("2020-01-31", profile.GetProperty("attributes").GetProperty("since").GetString());
    }

    [Fact]
    public async Task Anything_but_one_read_only_select_is_refused_and_the_database_is_left_as_it_was()
    {
        var tenant = TestTenants.New();
        var (admin, supervisor) = (await fixture.Web.SignInAsync(tenant, Roles.Admin), await fixture.Web.SignInAsync(tenant, Roles.Supervisor));
        var id = (await (await admin.Client.PostAsJsonAsync("/api/imports/databases", new { name = "ERP", connectionString = _erp.ConnectionString })).ReadJsonAsync()).GetProperty("id").GetString()!;

        foreach (var query in new[] { "DELETE FROM erp_customers", "SELECT 1 AS id; DROP TABLE erp_customers", "SELECT erp_touch()::text AS id", "SELECT nothing FROM nowhere" })
        {
            var refused = await supervisor.Client.PostAsync("/api/imports", DatabaseForm(id, query));
            Assert.NotEmpty(await refused.ErrorsForAsync("query"));
        }

        Assert.Equal(3, await _erp.ScalarAsync<long>("SELECT count(*) FROM erp_customers"));
        Assert.Equal(HttpStatusCode.Forbidden, (await supervisor.Client.PostAsJsonAsync("/api/imports/databases", new { name = "x", connectionString = _erp.ConnectionString })).StatusCode);
        Assert.NotEmpty(await (await admin.Client.PostAsJsonAsync("/api/imports/databases", new { name = "Nowhere", connectionString = "Host=127.0.0.1;Port=1;Timeout=2" })).ErrorsForAsync("connectionString"));
        var stranger = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        Assert.NotEmpty(await (await stranger.Client.PostAsync("/api/imports", DatabaseForm(id, "SELECT 1 AS id"))).ErrorsForAsync("database"));
    }

    private static MultipartFormDataContent DatabaseForm(string database, string query) => new()
    {
        { new StringContent(database), "database" },
        { new StringContent(query), "query" },
        { new StringContent("""{"id":"externalId","name":"displayName","email":"emails","credit":"attributes.credit","since":"attributes.since"}"""), "mapping" },
    };

    private static async Task<string> StartDatabaseImportAsync(TestUser user, string database, string query)
    {
        var response = await user.Client.PostAsync("/api/imports", DatabaseForm(database, query));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("id").GetString()!;
    }
}
