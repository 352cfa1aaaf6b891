using System.Text;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Crm.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class ImportWizardTests(BrowserFixture fixture)
{
    private static readonly byte[] File = Encoding.UTF8.GetBytes("""
        Customer ID,Full name,E-mail address,Plan
        c-1,Ada Lovelace,ada@example.com,pro
        c-2,Bob,bob-at-example,basic
        c-3,Grace Hopper,grace@example.com,enterprise
        """);

    [Fact]
    public async Task A_supervisor_previews_a_file_with_its_mapping_suggested_imports_it_and_watches_it_finish()
    {
        var supervisor = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);
        var (page, errors) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, supervisor);
        await page.GetByRole(AriaRole.Link, new() { Name = "Import" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Import", Exact = true })).ToBeVisibleAsync();

        await page.GetByLabel("File (CSV or JSON Lines)").SetInputFilesAsync(new FilePayload { Name = "crm-export.csv", MimeType = "text/csv", Buffer = File });
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();

        await Expect(page.GetByLabel("Field for Customer ID")).ToHaveValueAsync("externalId");
        await Expect(page.GetByLabel("Field for Full name")).ToHaveValueAsync("displayName");
        await Expect(page.GetByLabel("Field for E-mail address")).ToHaveValueAsync("emails");
        await Expect(page.GetByLabel("Field for Plan")).ToHaveValueAsync("attributes.Plan");
        await page.GetByLabel("Save this mapping as (optional)").FillAsync("CRM export");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start import" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Completed" })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var counts = page.Locator(".import-counts");
        await Expect(counts).ToContainTextAsync("Created2");
        await Expect(counts).ToContainTextAsync("Rejected1");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download rejected rows" }).ClickAsync());
        Assert.Contains("bob-at-example", await System.IO.File.ReadAllTextAsync(await download.PathAsync()));
        await BrowserFixture.ScreenshotAsync(page, "import");

        await page.GetByRole(AriaRole.Button, new() { Name = "Import another file" }).ClickAsync();
        await Expect(page.GetByLabel("Or use a saved mapping")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Customers" }).ClickAsync();
        await Expect(page.GetByText("Grace Hopper")).ToBeVisibleAsync();
        var export = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Export all customers (CSV)" }).ClickAsync());
        var exported = await System.IO.File.ReadAllTextAsync(await export.PathAsync());
        Assert.Contains("Ada Lovelace", exported);
        Assert.Contains("grace@example.com", exported);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task An_agent_sees_no_import_page()
    {
        var agent = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Agent);
        var (page, _) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, agent);

        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Import" })).ToHaveCountAsync(0);
    }
}
