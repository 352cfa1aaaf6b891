using System.Net.Http.Json;
using Crm.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Crm.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class AgentConsoleTests(BrowserFixture fixture)
{
    [Fact]
    public async Task An_agent_signs_in_finds_a_customer_and_sees_a_colleagues_call_arrive_live()
    {
        var tenant = TestTenants.New();
        var (agent, colleague) = (await fixture.Web.SignInAsync(tenant), await fixture.Web.SignInAsync(tenant));
        var id = await CreateCustomerAsync(colleague, "Grace Hopper");
        await CreateCustomerAsync(colleague, "Alan Turing");
        var (page, errors) = await fixture.NewPageAsync();

        await BrowserFixture.SignInAsync(page, agent);
        // Typed with two letters swapped, as agents on the phone do.
        await page.GetByRole(AriaRole.Searchbox).FillAsync("hoppre");
        await Expect(page.GetByRole(AriaRole.Listbox, new() { Name = "Customers" }).GetByRole(AriaRole.Option)).ToHaveTextAsync([new System.Text.RegularExpressions.Regex("Grace Hopper")]);
        await page.GetByRole(AriaRole.Searchbox).FillAsync("grace");
        await Expect(page.GetByRole(AriaRole.Listbox, new() { Name = "Customers" }).GetByRole(AriaRole.Option)).ToHaveCountAsync(1);
        await page.GetByRole(AriaRole.Searchbox).PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Grace Hopper" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Live" })).ToBeVisibleAsync();
        // The page has loaded the timeline: what comes now can only arrive live.
        await Expect(page.GetByText("No interactions yet.")).ToBeVisibleAsync();

        await colleague.Client.PostAsJsonAsync($"/api/customers/{id}/interactions", new { channel = "call", subject = "Compiler question" });

        var entry = page.GetByRole(AriaRole.Article).Filter(new() { HasText = "Compiler question" });
        await Expect(entry).ToBeVisibleAsync(new() { Timeout = 1000 });
        await Expect(entry).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("fresh"));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Logs_a_note_from_the_keyboard()
    {
        var agent = await fixture.Web.SignInAsync(TestTenants.New());
        var (id, page, errors) = await OpenNewCustomerAsync(agent, "Katherine Johnson");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Katherine Johnson" })).ToBeVisibleAsync();

        await page.GetByLabel("Subject").FocusAsync();
        await page.Keyboard.PressAsync("Alt+N");
        await page.Keyboard.TypeAsync("Trajectory figures sent");
        await page.Keyboard.PressAsync("Control+Enter");

        await Expect(page.GetByRole(AriaRole.Article).Filter(new() { HasText = "Trajectory figures sent" })).ToContainTextAsync("Note");
        var timeline = await (await agent.Client.GetAsync($"/api/customers/{id}/timeline")).ReadJsonAsync();
        Assert.Equal("internal", timeline.GetProperty("items")[0].GetProperty("direction").GetString());
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Shows_the_apis_message_next_to_the_field_and_reports_an_edit_that_came_first()
    {
        var agent = await fixture.Web.SignInAsync(TestTenants.New());
        var (id, page, errors) = await OpenNewCustomerAsync(agent, "Ada Lovelace");
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit profile" }).ClickAsync();

        await page.GetByLabel("Emails (comma separated)").FillAsync("not-an-email");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator("#edit-emails-error")).ToContainTextAsync("Not a valid email address.");
        await Expect(page.GetByLabel("Emails (comma separated)")).ToHaveAttributeAsync("aria-invalid", "true");
        await BrowserFixture.ScreenshotAsync(page, "profile-validation");

        await agent.Client.PatchAsJsonAsync($"/api/customers/{id}", new { jobTitle = "Analyst" });
        await page.GetByLabel("Emails (comma separated)").FillAsync("ada@example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByText("Someone else changed this customer")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Load their version" }).ClickAsync();
        await page.GetByLabel("Emails (comma separated)").FillAsync("ada@example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "ada@example.com" })).ToBeVisibleAsync();
        var customer = await (await agent.Client.GetAsync($"/api/customers/{id}")).ReadJsonAsync();
        Assert.Equal("Analyst", customer.GetProperty("jobTitle").GetString());
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_field_the_API_refuses_is_marked_and_explained_in_the_log_form()
    {
        var agent = await fixture.Web.SignInAsync(TestTenants.New());
        var (id, page, _) = await OpenNewCustomerAsync(agent, "Dorothy Vaughan");

        await page.GetByLabel("Subject").FillAsync("Callback");
        await page.GetByLabel("Minutes").FillAsync("-5");
        await page.GetByLabel("Minutes").PressAsync("Control+Enter");

        var minutes = page.GetByLabel("Minutes");
        await Expect(minutes).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator($"#{await minutes.GetAttributeAsync("aria-describedby")}")).ToContainTextAsync("Between 0");
        await Expect(page.GetByLabel("Subject")).Not.ToHaveAttributeAsync("aria-invalid", "true");
        var timeline = await (await agent.Client.GetAsync($"/api/customers/{id}/timeline")).ReadJsonAsync();
        Assert.Equal(0, timeline.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task An_admin_defines_custom_fields_and_an_agent_edits_them_with_inputs_of_their_type()
    {
        var tenant = TestTenants.New();
        var (admin, agent) = (await fixture.Web.SignInAsync(tenant, Crm.Security.Roles.Admin), await fixture.Web.SignInAsync(tenant));
        var (settings, adminErrors) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(settings, admin);
        await settings.GetByRole(AriaRole.Link, new() { Name = "Fields" }).ClickAsync();
        foreach (var (name, label, type, options) in new[] { ("plan", "Plan", "oneOf", "basic, pro"), ("seats", "Seats", "number", "") })
        {
            await settings.GetByLabel("Attribute name").FillAsync(name);
            await settings.GetByLabel("Label", new() { Exact = true }).FillAsync(label);
            await settings.GetByLabel("Type", new() { Exact = true }).SelectOptionAsync(type);
            if (options.Length > 0)
            {
                await settings.GetByLabel("Options (comma separated)").FillAsync(options);
            }

            await settings.GetByRole(AriaRole.Button, new() { Name = "Add field" }).ClickAsync();
            await Expect(settings.GetByRole(AriaRole.Cell, new() { Name = $"attributes.{name}" })).ToBeVisibleAsync();
        }

        var (id, page, errors) = await OpenNewCustomerAsync(agent, "Mary Jackson");
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit profile" }).ClickAsync();
        await Expect(page.GetByLabel("Seats", new() { Exact = true })).ToHaveAttributeAsync("type", "number");
        await page.GetByLabel("Plan", new() { Exact = true }).SelectOptionAsync("pro");
        await page.GetByLabel("Seats", new() { Exact = true }).FillAsync("12");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Form, new() { Name = "Edit profile" })).ToHaveCountAsync(0);
        // The card names them as the admin labelled them, in the fields' order.
        await Expect(page.Locator("dl.attributes dt")).ToHaveTextAsync(["Plan", "Seats"]);
        await Expect(page.Locator("dl.attributes dd")).ToHaveTextAsync(["pro", "12"]);
        var attributes = (await (await agent.Client.GetAsync($"/api/customers/{id}")).ReadJsonAsync()).GetProperty("attributes");
        Assert.Equal("pro", attributes.GetProperty("plan").GetString());
        Assert.Equal(12m, attributes.GetProperty("seats").GetDecimal());
        Assert.Empty(adminErrors);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Sorts_the_customer_list_by_what_the_agent_picks()
    {
        var agent = await fixture.Web.SignInAsync(TestTenants.New());
        await CreateCustomerAsync(agent, "Ada Older");
        await CreateCustomerAsync(agent, "Zoe Newer");
        var (page, errors) = await fixture.NewPageAsync();

        await BrowserFixture.SignInAsync(page, agent);
        await Expect(page.GetByRole(AriaRole.Listbox, new() { Name = "Customers" }).GetByRole(AriaRole.Option).First).ToContainTextAsync("Ada Older");
        await page.GetByLabel("Sort by").SelectOptionAsync("-createdAt");

        await Expect(page.GetByRole(AriaRole.Listbox, new() { Name = "Customers" }).GetByRole(AriaRole.Option).First).ToContainTextAsync("Zoe Newer");
        await Expect(page.GetByRole(AriaRole.Listbox, new() { Name = "Customers" }).GetByRole(AriaRole.Option).First).ToContainTextAsync("added");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Shows_who_else_is_viewing_the_customer()
    {
        var tenant = TestTenants.New();
        var (alex, sam) = (await fixture.Web.SignInAsync(tenant), await fixture.Web.SignInAsync(tenant, Crm.Security.Roles.Supervisor));
        var id = await CreateCustomerAsync(alex, "Margaret Hamilton");
        var (alexPage, _) = await fixture.NewPageAsync();
        var (samPage, _) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(alexPage, alex);
        await BrowserFixture.SignInAsync(samPage, sam);

        await alexPage.GotoAsync($"/#/customers/{id}");
        await samPage.GotoAsync($"/#/customers/{id}");

        await Expect(alexPage.GetByText("Also viewing: Test supervisor")).ToBeVisibleAsync();
        await Expect(samPage.GetByText("Also viewing: Test agent")).ToBeVisibleAsync();
        await samPage.GotoAsync("/#/");
        await Expect(alexPage.GetByText("Also viewing")).ToBeHiddenAsync();
    }

    /// <summary>A new customer, open in a new page that the user signed in to.</summary>
    private async Task<(string Id, IPage Page, List<string> Errors)> OpenNewCustomerAsync(TestUser user, string name)
    {
        var id = await CreateCustomerAsync(user, name);
        var (page, errors) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, user);
        await page.GotoAsync($"/#/customers/{id}");
        return (id, page, errors);
    }

    private static async Task<string> CreateCustomerAsync(TestUser user, string name)
    {
        var response = await user.Client.PostAsJsonAsync("/api/customers", new { displayName = name, emails = new[] { $"{name.Split(' ')[0].ToLowerInvariant()}@example.com" }, company = "Example Ltd" });
        response.EnsureSuccessStatusCode();
        return (await response.ReadJsonAsync()).GetProperty("id").GetString()!;
    }
}
