using System.Net.Http.Json;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Crm.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class DuplicatesQueueTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_supervisor_compares_a_pair_chooses_fields_merges_it_while_an_agent_is_led_to_the_survivor_and_undoes_it()
    {
        var tenant = TestTenants.New();
        var (supervisor, agent) = (await fixture.Web.SignInAsync(tenant, Roles.Supervisor), await fixture.Web.SignInAsync(tenant));
        var ada = await CreateAsync(supervisor, new { givenName = "Ada", familyName = "Lovelace", emails = new[] { "ada@analytical.example" } });
        var copy = await CreateAsync(supervisor, new { displayName = "Ada Lovelace", emails = new[] { "ADA@analytical.example" }, company = "Analytical Engines" });
        await supervisor.Client.PostAsJsonAsync($"/api/customers/{copy}/interactions", new { channel = "call", subject = "Asked about engines" });

        var (agentPage, agentErrors) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(agentPage, agent);
        await agentPage.GotoAsync($"{fixture.Web.BaseAddress}#/customers/{copy}");
        await Expect(agentPage.GetByText("Asked about engines")).ToBeVisibleAsync();

        var (page, errors) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, supervisor);
        await page.GetByRole(AriaRole.Link, new() { Name = "Duplicates" }).ClickAsync();
        var pair = page.Locator(".pair").Filter(new() { HasText = "same email ada@analytical.example" });
        await Expect(pair).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await pair.GetByRole(AriaRole.Button, new() { Name = "Compare" }).ClickAsync();
        var compare = page.GetByRole(AriaRole.Region, new() { Name = "Merge Ada Lovelace and Ada Lovelace" });
        await compare.GetByLabel("Company: Analytical Engines").CheckAsync();
        var company = compare.GetByRole(AriaRole.Row).Filter(new() { HasText = "Company" }).Locator(".result");
        await Expect(company).ToHaveTextAsync("Analytical Engines");
        await Expect(compare.GetByText("1 interaction will be on one timeline")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "merge-compare");
        await compare.GetByRole(AriaRole.Button, new() { Name = "Merge", Exact = true }).ClickAsync();

        await Expect(agentPage).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"#/customers/{ada}$"), new() { Timeout = 10_000 });
        await Expect(agentPage.GetByText($"Customer {copy} was merged into this one")).ToBeVisibleAsync();
        await Expect(agentPage.GetByText("Asked about engines")).ToBeVisibleAsync();
        var merges = page.GetByRole(AriaRole.List, new() { Name = "Recent merges" });
        await Expect(merges).ToContainTextAsync("merged into Ada Lovelace");
        await Expect(page.GetByText("No likely duplicates at this score.")).ToBeVisibleAsync();

        // A link to the merged-away customer leads to the survivor.
        var (later, _) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(later, agent);
        await later.GotoAsync($"{fixture.Web.BaseAddress}#/customers/{copy}");
        await Expect(later).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"#/customers/{ada}$"));
        await Expect(later.GetByText("Analytical Engines").First).ToBeVisibleAsync();

        await merges.GetByRole(AriaRole.Button, new() { Name = "Undo the merge into Ada Lovelace" }).ClickAsync();
        await Expect(merges).ToContainTextAsync("undone by");
        await Expect(pair).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(agentPage.GetByText("Asked about engines")).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        Assert.Empty(errors);
        Assert.Empty(agentErrors);
    }

    [Fact]
    public async Task An_agent_sees_the_queue_and_why_but_cannot_merge_or_dismiss()
    {
        var tenant = TestTenants.New();
        var agent = await fixture.Web.SignInAsync(tenant);
        await CreateAsync(agent, new { givenName = "Wei", familyName = "Zhang", phones = new[] { "+44 20 7946 0141" } });
        await CreateAsync(agent, new { givenName = "Zhang", familyName = "Wei", phones = new[] { "020 7946 0141" }, country = "GB" });
        var (page, errors) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, agent);

        await page.GotoAsync($"{fixture.Web.BaseAddress}#/duplicates");

        await Expect(page.GetByText("given and family names swapped")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Compare" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Check all again" })).ToHaveCountAsync(0);
        Assert.Empty(errors);
    }

    private static async Task<string> CreateAsync(TestUser user, object profile) =>
        (await (await user.Client.PostAsJsonAsync("/api/customers", profile)).ReadJsonAsync()).GetProperty("id").GetString()!;
}
