using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.Imports;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using static Crm.Tests.Imports.Imports;

namespace Crm.Tests.Imports;

/// <summary>Importing customers and interactions from CSV and JSON Lines files, as a supervisor does it through the API.</summary>
[Collection(EmbeddedWebCollection.Name)]
public sealed class ImportApiTests(EmbeddedWebFixture fixture)
{
    private static readonly object CustomerMapping = new Dictionary<string, string>
    {
        ["id"] = "externalId", ["Name"] = "displayName", ["E-mail"] = "emails", ["Phone"] = "phones", ["Plan"] = "attributes.plan",
        ["Seats"] = "attributes.seats", ["Tags"] = "tags", ["Country"] = "country", ["City"] = "address.city",
    };

    // A semicolon-separated file with a byte order mark, quoted fields (one with the separator in it), a bad email and a row without its key.
    private static readonly byte[] Customers = [.. Encoding.UTF8.Preamble, .. Utf8("""
        id;Name;E-mail;Phone;Plan;Seats;Tags;Country;City
        c-1;Ada Lovelace;ada@example.com;020 7946 0000;pro;12;vip, math;GB;London
        c-2;Bob;not-an-email;;basic;;;;
        c-3;"Hopper; Grace";GRACE@Example.com;;enterprise;250;navy;US;"Arlington"
        ;Nobody;nobody@example.com;;;;;;
        """)];

    [Fact]
    public async Task A_csv_file_creates_its_customers_with_every_mapped_field_and_reports_the_rows_it_refused()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);

        var id = await StartAsync(supervisor.Client, Customers, "customers.csv", CustomerMapping, ("matchOn", "externalId"));
        var job = await FinishedAsync(supervisor.Client, id);

        Assert.Equal("completed", job.GetProperty("status").GetString());
        Assert.Equal((2, 0, 0, 2, 4), Counts(job));
        var ada = await FindAsync(supervisor, "Ada");
        Assert.Equal("c-1", ada.GetProperty("externalId").GetString());
        Assert.Equal(["ada@example.com"], ada.GetProperty("emails").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["+442079460000"], ada.GetProperty("phones").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["vip", "math"], ada.GetProperty("tags").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("pro", ada.GetProperty("attributes").GetProperty("plan").GetString());
        Assert.Equal(12, ada.GetProperty("attributes").GetProperty("seats").GetInt32());
        Assert.Equal("London", ada.GetProperty("address").GetProperty("city").GetString());
        Assert.Equal("grace@example.com", (await FindAsync(supervisor, "Hopper")).GetProperty("emails")[0].GetString());
        var rejected = (await RejectedAsync(supervisor.Client, id)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["row,column,value,reason", "2,E-mail,not-an-email,Not a valid email address.", "4,id,,Required: the import matches customers on it."], rejected);
    }

    [Fact]
    public async Task Importing_the_same_file_again_changes_nothing_and_says_so()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        await FinishedAsync(supervisor.Client, await StartAsync(supervisor.Client, Customers, "customers.csv", CustomerMapping));
        var before = await (await supervisor.Client.GetAsync("/api/customers?limit=50")).ReadJsonAsync();

        var again = await FinishedAsync(supervisor.Client, await StartAsync(supervisor.Client, Customers, "customers.csv", CustomerMapping));

        Assert.Equal((0, 0, 2, 2, 4), Counts(again));
        var after = await (await supervisor.Client.GetAsync("/api/customers?limit=50")).ReadJsonAsync();
        Assert.Equal(Ids(before), Ids(after));
    }

    [Fact]
    public async Task Rows_matched_on_email_update_the_customer_created_in_the_api_and_leave_its_other_fields_alone()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var created = await (await supervisor.Client.PostAsJsonAsync("/api/customers",
            new { displayName = "Zed", emails = new[] { "zed@example.com" }, company = "Zed Ltd", tags = new[] { "partner" } })).ReadJsonAsync();

        var job = await FinishedAsync(supervisor.Client, await StartAsync(supervisor.Client, Utf8("email,title,tag\nZED@example.com,CTO,vip\nnew@example.com,CEO,\n"), "people.csv",
            new { email = "emails", title = "jobTitle", tag = "tags" }, ("matchOn", "email")));

        Assert.Equal((1, 1, 0, 0, 2), Counts(job));
        var zed = await (await supervisor.Client.GetAsync($"/api/customers/{created.GetProperty("id").GetString()}")).ReadJsonAsync();
        Assert.Equal("CTO", zed.GetProperty("jobTitle").GetString());
        Assert.Equal("Zed Ltd", zed.GetProperty("company").GetString());
        Assert.Equal(["partner", "vip"], zed.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(2, (await (await supervisor.Client.GetAsync("/api/customers?limit=50")).ReadJsonAsync()).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_dry_run_checks_every_row_and_says_what_would_happen_without_writing_anything()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        await (await supervisor.Client.PostAsJsonAsync("/api/customers", new { displayName = "Ada", externalId = "c-1" })).ReadJsonAsync();

        var job = await FinishedAsync(supervisor.Client, await StartAsync(supervisor.Client, Customers, "customers.csv", CustomerMapping, ("dryRun", "true")));

        Assert.True(job.GetProperty("dryRun").GetBoolean());
        Assert.Equal((1, 1, 0, 2, 4), Counts(job));
        Assert.Contains("Not a valid email address.", await RejectedAsync(supervisor.Client, job.GetProperty("id").GetString()!));
        var customers = (await (await supervisor.Client.GetAsync("/api/customers?limit=50")).ReadJsonAsync()).GetProperty("items");
        Assert.Equal(["Ada"], customers.EnumerateArray().Select(c => c.GetProperty("displayName").GetString()));
    }

    [Fact]
    public async Task A_windows_1252_file_and_a_json_lines_file_read_as_their_authors_wrote_them()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var latin = Encoding.GetEncoding(1252).GetBytes("id,name\nw-1,Renée Müller\n");
        var jsonLines = Utf8("""
            {"id":"j-1","name":"Zoë","contact":{"email":"zoe@example.com"},"tags":["a","b"]}
            not json
            {"id":"j-2","name":"Åsa","contact":{"email":"asa@example.com"}}
            """);

        var csv = await FinishedAsync(supervisor.Client, await StartAsync(supervisor.Client, latin, "legacy.csv", new { id = "externalId", name = "displayName" }));
        var lines = await FinishedAsync(supervisor.Client, await StartAsync(supervisor.Client, jsonLines, "people.jsonl",
            new Dictionary<string, string> { ["id"] = "externalId", ["name"] = "displayName", ["contact.email"] = "emails", ["tags"] = "tags" }));

        Assert.Equal((1, 0, 0, 0, 1), Counts(csv));
        Assert.Equal((2, 0, 0, 1, 3), Counts(lines));
        Assert.Equal("Renée Müller", (await FindAsync(supervisor, "Ren")).GetProperty("displayName").GetString());
        var zoe = await FindAsync(supervisor, "Zo");
        Assert.Equal(["a", "b"], zoe.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.StartsWith("row,column,value,reason\r\n2,,,\"Not valid JSON", await RejectedAsync(supervisor.Client, lines.GetProperty("id").GetString()!));
    }

    [Fact]
    public async Task A_row_that_is_not_utf8_far_into_a_utf8_file_is_refused_by_name_not_imported_garbled()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        // The first 64 KB decide the encoding: UTF-8 here, with a Windows-1252 row long after them.
        var start = Utf8("id,name\n" + string.Concat(Enumerable.Range(0, 3000).Select(i => $"u-{i},Person number {i} é\n")));
        var file = start.Concat(Encoding.Latin1.GetBytes("u-late,Renée Müller\n")).Concat(Utf8("u-after,Zoë\n")).ToArray();

        var job = await FinishedAsync(supervisor.Client, await StartAsync(supervisor.Client, file, "mixed.csv", new { id = "externalId", name = "displayName" }));

        Assert.Equal((3001, 0, 0, 1, 3002), Counts(job));
        var rejected = (await RejectedAsync(supervisor.Client, job.GetProperty("id").GetString()!)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("3001,,,\"Not valid UTF-8", rejected[1]);
        Assert.Equal("Zoë", (await FindAsync(supervisor, "Zo")).GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task An_interactions_file_puts_each_row_on_its_customers_timeline_once_however_often_it_is_imported()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var customer = (await (await supervisor.Client.PostAsJsonAsync("/api/customers", new { displayName = "Ada", externalId = "c-1" })).ReadJsonAsync()).GetProperty("id").GetString();
        var file = Utf8("""
            customer,channel,when,subject,seconds
            c-1,call,2026-03-01T10:00:00Z,Renewal call,300
            c-1,email,2026-03-02T09:30:00Z,Quote sent,
            c-1,fax,2026-03-03T09:30:00Z,Faxed,
            """);
        var mapping = new Dictionary<string, string>
        {
            ["customer"] = "externalId", ["channel"] = "interaction.channel", ["when"] = "interaction.occurredAt",
            ["subject"] = "interaction.subject", ["seconds"] = "interaction.durationSeconds",
        };

        var first = await FinishedAsync(supervisor.Client, await StartAsync(supervisor.Client, file, "calls.csv", mapping, ("kind", "interactions")));
        var second = await FinishedAsync(supervisor.Client, await StartAsync(supervisor.Client, file, "calls.csv", mapping, ("kind", "interactions")));

        Assert.Equal((2, 0, 0, 1, 3), Counts(first));
        Assert.Equal((0, 0, 2, 1, 3), Counts(second));
        var timeline = (await (await supervisor.Client.GetAsync($"/api/customers/{customer}/timeline?limit=10")).ReadJsonAsync()).GetProperty("items");
        Assert.Equal(["Quote sent", "Renewal call"], timeline.EnumerateArray().Select(i => i.GetProperty("subject").GetString()));
        Assert.Equal(300, timeline[1].GetProperty("durationSeconds").GetInt32());
        Assert.StartsWith("row,column,value,reason\r\n3,channel,fax,", await RejectedAsync(supervisor.Client, first.GetProperty("id").GetString()!));
    }

    [Fact]
    public async Task Hostile_rows_are_refused_one_by_one_and_the_import_completes()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var lines = Utf8(string.Join('\n',
            """{"id":"h-1","name":"\ud800 lone"}""",
            """{"id":"h-2","name":"Nul\u0000name"}""",
            """{"id":"h-3","name":"Dup","name":"licate"}""",
            $$"""{"id":"h-4","name":"{{new string('x', 500_000)}}"}""",
            """{"id":"h-5","name":"Fine"}""") + "\n");
        var calls = Utf8("customer,channel,subject,note\nc-9,call,Call,\"a\u0000b\"\nc-9,call,Call,\n");

        var json = await FinishedAsync(supervisor.Client, await StartAsync(supervisor.Client, lines, "hostile.jsonl", new { id = "externalId", name = "displayName" }));
        var interactions = await FinishedAsync(supervisor.Client, await StartAsync(supervisor.Client, calls, "calls.csv",
            new Dictionary<string, string> { ["customer"] = "externalId", ["channel"] = "interaction.channel", ["subject"] = "interaction.subject", ["note"] = "interaction.metadata.note" },
            ("kind", "interactions"), ("matchOn", "externalId")));
        var tooLong = new HttpRequestMessage(HttpMethod.Post, "/api/imports") { Content = new ByteArrayContent(Utf8("--x--")) };
        tooLong.Content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={new string('b', 5000)}");

        Assert.Equal("completed", json.GetProperty("status").GetString());
        Assert.Equal((1, 0, 0, 4, 5), Counts(json));
        var rejected = await RejectedAsync(supervisor.Client, json.GetProperty("id").GetString()!);
        Assert.Contains("4,,,A line of more than", rejected);
        Assert.Equal("completed", interactions.GetProperty("status").GetString());
        Assert.Equal((1, 0, 0, 1, 2), Counts(interactions));
        Assert.Contains("NUL", await RejectedAsync(supervisor.Client, interactions.GetProperty("id").GetString()!));
        Assert.NotEmpty(await (await supervisor.Client.SendAsync(tooLong)).ErrorsForAsync("body"));
    }

    [Fact]
    public async Task What_is_wrong_with_a_request_is_named_field_by_field_and_nothing_is_started()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);

        var noFile = await supervisor.Client.PostAsync("/api/imports", new MultipartFormDataContent { { new StringContent("{}"), "mapping" } });
        var badMapping = await supervisor.Client.PostAsync("/api/imports", Form(Customers, "c.csv", new { id = "shoeSize", Name = "displayName" }, ("dryRun", "perhaps"), ("kind", "orders")));
        var unmappedKey = await supervisor.Client.PostAsync("/api/imports", Form(Customers, "c.csv", new { Name = "displayName" }, ("matchOn", "email")));
        var notJson = await supervisor.Client.PostAsync("/api/imports", Form(Customers, "c.csv", null, ("mapping", "{not json")));
        var notMultipart = await supervisor.Client.PostAsJsonAsync("/api/imports", new { file = "x" });

        Assert.Contains("Required", (await noFile.ErrorsForAsync("file"))[0]);
        Assert.NotEmpty(await badMapping.ErrorsForAsync("dryRun"));
        Assert.NotEmpty(await badMapping.ErrorsForAsync("kind"));
        Assert.Contains("emails", (await unmappedKey.ErrorsForAsync("mapping"))[0]);
        Assert.NotEmpty(await notJson.ErrorsForAsync("mapping"));
        Assert.NotEmpty(await notMultipart.ErrorsForAsync("body"));
        Assert.Empty((await (await supervisor.Client.GetAsync("/api/customers?limit=5")).ReadJsonAsync()).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Agents_cannot_import_and_another_tenants_import_does_not_exist_for_you()
    {
        var tenant = TestTenants.New();
        var (agent, supervisor) = (await fixture.Web.SignInAsync(tenant, Roles.Agent), await fixture.Web.SignInAsync(tenant, Roles.Supervisor));
        var stranger = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Admin);
        var id = await StartAsync(supervisor.Client, Customers, "customers.csv", CustomerMapping);

        Assert.Equal(HttpStatusCode.Forbidden, (await agent.Client.PostAsync("/api/imports", Form(Customers, "c.csv", CustomerMapping))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await agent.Client.GetAsync($"/api/imports/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.Client.GetAsync($"/api/imports/{id}/rejected")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync($"/api/imports/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync($"/api/imports/{id}/rejected")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.PostAsync($"/api/imports/{id}/cancel", null)).StatusCode);
        Assert.Equal("completed", (await FinishedAsync(supervisor.Client, id)).GetProperty("status").GetString());
        Assert.Empty((await (await stranger.Client.GetAsync("/api/customers?limit=5")).ReadJsonAsync()).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task The_supervisor_who_started_an_import_watches_it_progress_live_and_another_tenant_hears_nothing()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var stranger = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var (mine, theirs) = (new List<JsonElement>(), new List<JsonElement>());
        await using var hub = await fixture.Web.ConnectHubAsync(supervisor.Token);
        await using var strangerHub = await fixture.Web.ConnectHubAsync(stranger.Token);
        hub.On<JsonElement>("importProgress", p => { lock (mine) { mine.Add(p); } });
        strangerHub.On<JsonElement>("importProgress", p => { lock (theirs) { theirs.Add(p); } });
        await hub.InvokeAsync("WatchImports");
        await strangerHub.InvokeAsync("WatchImports");
        var rows = string.Join('\n', Enumerable.Range(0, 1200).Select(i => $"p-{i},Person {i}"));

        var id = await StartAsync(supervisor.Client, Utf8($"id,name\n{rows}\n"), "many.csv", new { id = "externalId", name = "displayName" });

        await Eventually.ReturnsAsync(() => Task.FromResult(Snapshot(mine)), p => p.Any(m => m.GetProperty("status").GetString() == "completed"));
        var progress = Snapshot(mine);
        Assert.All(progress, p => Assert.Equal(id, p.GetProperty("id").GetString()));
        Assert.Contains(progress, p => p.GetProperty("status").GetString() == "running" && p.GetProperty("created").GetInt64() is > 0 and < 1200);
        Assert.Equal(1200, progress.Last().GetProperty("created").GetInt64());
        Assert.Empty(Snapshot(theirs));
    }

    [Fact]
    public async Task Rows_the_processors_refuse_while_applying_are_in_the_rejected_report_once_after_the_rows_refused_while_reading()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var id = await StartAsync(supervisor.Client, Customers, "customers.csv", CustomerMapping);
        await FinishedAsync(supervisor.Client, id);
        var job = fixture.Web.Services.GetRequiredService<IGrainFactory>().GetGrain<IImportJobGrain>(ImportJob.Key(supervisor.Tenant, Guid.Parse(id)));

        // What a processor reports for a row it parked, reported again as after a crash before its checkpoint moved.
        const long position = long.MaxValue / 2;
        var parked = new ImportRowOutcome(position, ImportRowResult.Refused, Row: 3, Reason: "23514: \"refused\", by a check");
        await job.ReportAppliedAsync(0, position, [parked]);
        await job.ReportAppliedAsync(0, position, [parked]);

        var rejected = (await RejectedAsync(supervisor.Client, id)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["row,column,value,reason", "2,E-mail,not-an-email,Not a valid email address.", "4,id,,Required: the import matches customers on it.",
            "3,,,\"23514: \"\"refused\"\", by a check\""], rejected);
        Assert.Equal(3, (await (await supervisor.Client.GetAsync($"/api/imports/{id}")).ReadJsonAsync()).GetProperty("rejected").GetInt64());
    }

    [Fact]
    public async Task A_refused_row_applied_when_tried_again_leaves_the_rejected_report_and_counts_as_what_it_did()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var id = await StartAsync(supervisor.Client, Customers, "customers.csv", CustomerMapping);
        var before = await FinishedAsync(supervisor.Client, id);
        var job = fixture.Web.Services.GetRequiredService<IGrainFactory>().GetGrain<IImportJobGrain>(ImportJob.Key(supervisor.Tenant, Guid.Parse(id)));

        // A processor parks row 3, then applies it when it tries parked events again; the retry's report is made twice.
        const long position = long.MaxValue / 2;
        await job.ReportAppliedAsync(0, position, [new ImportRowOutcome(position, ImportRowResult.Refused, Row: 3, Reason: "40001: serialization failure")]);
        Assert.Equal(before.GetProperty("rejected").GetInt64() + 1, (await (await supervisor.Client.GetAsync($"/api/imports/{id}")).ReadJsonAsync()).GetProperty("rejected").GetInt64());
        var applied = new ImportRowOutcome(position, ImportRowResult.Created, Row: 3, Recovered: true);
        await job.ReportAppliedAsync(0, position, [applied]);
        await job.ReportAppliedAsync(0, position, [applied]);

        var after = await (await supervisor.Client.GetAsync($"/api/imports/{id}")).ReadJsonAsync();
        Assert.Equal(before.GetProperty("rejected").GetInt64(), after.GetProperty("rejected").GetInt64());
        Assert.Equal(before.GetProperty("created").GetInt64() + 1, after.GetProperty("created").GetInt64());
        var rejected = (await RejectedAsync(supervisor.Client, id)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["row,column,value,reason", "2,E-mail,not-an-email,Not a valid email address.", "4,id,,Required: the import matches customers on it."], rejected);
    }

    [Theory]
    [InlineData("import-0123456789abcdef0123456789abcdef-42", 42)]
    [InlineData("web-42", 0)]
    [InlineData("import-x-", 0)]
    public void An_imported_rows_number_is_read_back_from_its_message_id(string messageId, long row) =>
        Assert.Equal(row, ImportJob.RowOf(messageId));

    [Fact]
    public async Task Agents_may_not_follow_imports_live()
    {
        var agent = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Agent);
        await using var hub = await fixture.Web.ConnectHubAsync(agent.Token);

        var refused = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync("WatchImports"));

        Assert.Contains("supervisors", refused.Message);
    }

    private static List<JsonElement> Snapshot(List<JsonElement> messages)
    {
        lock (messages)
        {
            return [.. messages];
        }
    }

    private static string[] Ids(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).Order()];

    private static async Task<JsonElement> FindAsync(TestUser user, string query)
    {
        var page = await Eventually.ReturnsAsync(
            async () => await (await user.Client.GetAsync($"/api/customers?query={Uri.EscapeDataString(query)}&limit=2")).ReadJsonAsync(),
            p => p.GetProperty("items").GetArrayLength() == 1);
        return await (await user.Client.GetAsync($"/api/customers/{page.GetProperty("items")[0].GetProperty("id").GetString()}")).ReadJsonAsync();
    }
}
