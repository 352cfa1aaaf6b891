using System.Net.Http.Json;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Crm.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class SegmentBuilderTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_supervisor_builds_a_segment_watching_its_count_saves_it_and_opens_its_members()
    {
        var tenant = TestTenants.New();
        var supervisor = await fixture.Web.SignInAsync(tenant, Roles.Supervisor);
        await supervisor.Client.PostAsJsonAsync("/api/customers", new { displayName = "Ada Lovelace", tags = new[] { "vip" }, country = "GB" });
        await supervisor.Client.PostAsJsonAsync("/api/customers", new { displayName = "Bea Vip", tags = new[] { "vip" }, country = "FR" });
        await supervisor.Client.PostAsJsonAsync("/api/customers", new { displayName = "Cy Plain", country = "GB" });
        var (page, errors) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, supervisor);
        await page.GetByRole(AriaRole.Link, new() { Name = "Segments" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Segments", Exact = true })).ToBeVisibleAsync();

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("VIPs in GB");
        await page.GetByLabel("Value of condition 1").FillAsync("vip");
        var preview = page.Locator(".segment-builder .preview");
        await Expect(preview).ToContainTextAsync("2 customers", new() { Timeout = 10_000 });
        await page.GetByRole(AriaRole.Button, new() { Name = "Add condition" }).ClickAsync();
        await page.GetByLabel("Field of condition 2").SelectOptionAsync("country");
        // "contains" (what tags took) is not for a country: the operator becomes one that is.
        await Expect(page.GetByLabel("Operator of condition 2")).ToHaveValueAsync("eq");
        await page.GetByLabel("Value of condition 2").FillAsync("GB");
        await Expect(preview).ToContainTextAsync("1 customer, e.g. Ada Lovelace");
        await BrowserFixture.ScreenshotAsync(page, "segment-builder");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create segment" }).ClickAsync();

        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "VIPs in GB" });
        await Expect(row.Locator(".count")).ToHaveTextAsync("1");
        // Another customer joins while the page is open: its count moves without a reload.
        await supervisor.Client.PostAsJsonAsync("/api/customers", new { displayName = "Dee Vip", tags = new[] { "VIP" }, country = "GB" });
        await Expect(row.Locator(".count")).ToHaveTextAsync("2", new() { Timeout = 15_000 });
        await page.GetByRole(AriaRole.Link, new() { Name = "VIPs in GB" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "VIPs in GB" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Dee Vip" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Ada Lovelace" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Ada Lovelace" })).ToBeVisibleAsync();
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_condition_the_api_refuses_is_marked_with_the_reason_and_nothing_is_saved()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var (page, _) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, supervisor);
        await page.GetByRole(AriaRole.Link, new() { Name = "Segments" }).ClickAsync();

        await page.GetByLabel("Field of condition 1").SelectOptionAsync("activity.lastContactAt");
        await page.GetByLabel("Operator of condition 1").SelectOptionAsync("within");
        await page.GetByLabel("Value of condition 1").FillAsync("a month");

        var value = page.GetByLabel("Value of condition 1");
        await Expect(value).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("#condition-0-error")).ToContainTextAsync("ISO 8601 duration");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Recent");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create segment" }).ClickAsync();
        await Expect(page.GetByText("No segments yet.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task An_agent_sees_segments_and_their_members_but_no_builder()
    {
        var tenant = TestTenants.New();
        var supervisor = await fixture.Web.SignInAsync(tenant, Roles.Supervisor);
        await supervisor.Client.PostAsJsonAsync("/api/segments", new { name = "Everyone", rules = new { all = Array.Empty<object>() } });
        var agent = await fixture.Web.SignInAsync(tenant);
        var (page, errors) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, agent);

        await page.GetByRole(AriaRole.Link, new() { Name = "Segments" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Everyone" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create segment" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Delete Everyone" })).ToHaveCountAsync(0);
        Assert.Empty(errors);
    }
}
