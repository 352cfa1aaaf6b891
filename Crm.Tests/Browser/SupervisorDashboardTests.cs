using System.Net.Http.Json;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Crm.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class SupervisorDashboardTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_supervisors_dashboard_moves_as_events_and_calls_arrive()
    {
        var tenant = TestTenants.New();
        var admin = await fixture.Web.SignInAsync(tenant, Roles.Admin);
        var supervisor = await fixture.Web.SignInAsync(tenant, Roles.Supervisor);
        var agent = await fixture.Web.SignInAsync(tenant);
        var source = await TestSource.CreateAsync(fixture.Web, admin);
        var (page, errors) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, supervisor);
        await page.GetByRole(AriaRole.Link, new() { Name = "Dashboard" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Live activity · {tenant}" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Live" })).ToBeVisibleAsync();
        await Expect(Kpi(page, "Events, last minute")).ToHaveTextAsync("0");
        await Expect(page.GetByText("No agent has logged an interaction today.")).ToBeVisibleAsync();

        await source.SendAsync("batch", new
        {
            batch = Enumerable.Range(0, 12).Select(i => new { type = "track", userId = $"visitor-{i % 3}", @event = i % 3 == 0 ? "Signed Up" : "Page Viewed" }),
        });
        var customer = (await (await agent.Client.PostAsJsonAsync("/api/customers", new { displayName = "Live Caller" })).ReadJsonAsync()).GetProperty("id").GetString();
        await agent.Client.PostAsJsonAsync($"/api/customers/{customer}/interactions", new { channel = "call", subject = "Asked about the dashboard" });

        // 12 tracked events, the agent's new customer and the call; all but the new customer are on timelines.
        await Expect(Kpi(page, "Events, last minute")).ToHaveTextAsync("14");
        await Expect(Kpi(page, "New customers today")).ToHaveTextAsync("4");
        await Expect(Kpi(page, "Interactions today")).ToHaveTextAsync("13");
        var byAgent = page.GetByRole(AriaRole.Table).Filter(new() { Has = page.GetByRole(AriaRole.Columnheader, new() { Name = "Agent" }) });
        await Expect(byAgent.GetByRole(AriaRole.Row).Filter(new() { HasText = "Test agent" })).ToContainTextAsync("1");
        var topEvents = page.GetByRole(AriaRole.Table).Filter(new() { Has = page.GetByRole(AriaRole.Columnheader, new() { Name = "Event" }) });
        await Expect(topEvents.GetByRole(AriaRole.Row).Filter(new() { HasText = "Page Viewed" })).ToContainTextAsync("8");
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "Events per minute" })).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex(": 14"));
        await BrowserFixture.ScreenshotAsync(page, "dashboard");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_supervisor_scans_data_quality_from_the_dashboard_and_follows_a_problem_to_its_customer()
    {
        var tenant = TestTenants.New();
        var supervisor = await fixture.Web.SignInAsync(tenant, Roles.Supervisor);
        var created = await (await supervisor.Client.PostAsJsonAsync("/api/customers", new { displayName = "No Email Person" })).ReadJsonAsync();
        var (page, errors) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, supervisor);
        await page.GetByRole(AriaRole.Link, new() { Name = "Dashboard" }).ClickAsync();
        await Expect(page.GetByText("No scan yet")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Scan now" }).ClickAsync();

        var problems = page.GetByRole(AriaRole.Table).Filter(new() { Has = page.GetByRole(AriaRole.Columnheader, new() { Name = "Problem" }) });
        var missingEmail = problems.GetByRole(AriaRole.Row).Filter(new() { HasText = "Missing: emails" });
        await Expect(missingEmail).ToContainTextAsync("1");
        await missingEmail.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Complementary, new() { Name = "Profile" })).ToContainTextAsync("No Email Person");
        Assert.EndsWith(created.GetProperty("id").GetString()!, page.Url);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task An_admin_connects_a_source_and_watches_its_events_in_the_debugger()
    {
        var tenant = TestTenants.New();
        var admin = await fixture.Web.SignInAsync(tenant, Roles.Admin);
        var (page, errors) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, admin);
        await page.GetByRole(AriaRole.Link, new() { Name = "Sources" }).ClickAsync();
        await Expect(page.GetByText("No sources yet.")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Connect" }).ClickAsync();
        await Expect(page.Locator(".field-error")).ToContainTextAsync("Required");
        await page.GetByLabel("Name").FillAsync("Web shop");
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect" }).ClickAsync();
        var writeKey = await page.Locator(".secrets dd code").First.TextContentAsync();
        Assert.StartsWith("crm_wk_", writeKey);

        await page.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Web shop" }).ClickAsync();
        await Expect(page.GetByText("No events from this source since the debugger started watching.")).ToBeVisibleAsync();

        using var sender = fixture.Web.CreateClient();
        sender.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{writeKey}:")));
        await sender.PostAsJsonAsync("/v1/track", new { userId = "shopper-1", @event = "Cart Viewed" });
        await sender.PostAsJsonAsync("/v1/track", new { userId = "shopper-1" });

        var entries = page.GetByRole(AriaRole.List, new() { Name = "Recent events" }).GetByRole(AriaRole.Listitem);
        await Expect(entries).ToHaveCountAsync(2);
        await Expect(entries.Nth(0)).ToContainTextAsync("rejected");
        await Expect(entries.Nth(0)).ToContainTextAsync("track");
        await Expect(entries.Nth(0)).ToContainTextAsync("event: Required for track.");
        await Expect(entries.Nth(1)).ToContainTextAsync("accepted");
        await Expect(entries.Nth(1)).ToContainTextAsync("Cart Viewed");
        await BrowserFixture.ScreenshotAsync(page, "source-debugger");
        Assert.Empty(errors);
    }

    private static ILocator Kpi(IPage page, string label) =>
        page.Locator(".kpi").Filter(new() { Has = page.Locator("dt", new() { HasTextString = label }) }).Locator("dd");
}
