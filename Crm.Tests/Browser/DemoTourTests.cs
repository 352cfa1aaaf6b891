using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Crm.Tests.Browser;

/// <summary>What a newcomer sees after `dotnet run --project Crm.Web`: the demo tenant, through the printed sign-in.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DemoTourTests(BrowserFixture fixture)
{
    [Fact]
    public async Task The_demo_agent_browses_seeded_customers_with_their_orders_and_conversations()
    {
        var (page, errors) = await fixture.NewPageAsync();
        await page.GotoAsync("/");
        await BrowserFixture.ScreenshotAsync(page, "sign-in");
        await page.GetByLabel("Email").FillAsync("agent@demo.local");
        await page.GetByLabel("Password").FillAsync("demo");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Listbox, new() { Name = "Customers" }).GetByRole(AriaRole.Option)).ToHaveCountAsync(50);
        await page.GetByRole(AriaRole.Searchbox).FillAsync("ada");
        await Expect(page.GetByRole(AriaRole.Listbox, new() { Name = "Customers" }).GetByRole(AriaRole.Option)).ToHaveCountAsync(6);
        await Expect(page.GetByRole(AriaRole.Listbox, new() { Name = "Customers" }).GetByRole(AriaRole.Option).Filter(new() { HasNotText = "Ada" })).ToHaveCountAsync(0);
        await BrowserFixture.ScreenshotAsync(page, "search");
        await page.GetByRole(AriaRole.Searchbox).PressAsync("ArrowDown");
        await page.GetByRole(AriaRole.Searchbox).PressAsync("Enter");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Ada");
        await Expect(page.GetByRole(AriaRole.Article).Filter(new() { HasText = "Order" }).First).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Live" })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "customer");
        Assert.Empty(errors);
    }
}
