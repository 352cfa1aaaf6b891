using System.Text.RegularExpressions;
using Crm.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Crm.Tests.Browser;

/// <summary>
/// Headless Chromium (Debian's package; Playwright drives it, it downloads nothing) against an embedded Crm.Web
/// with its demo tenant, as `dotnet run` starts it. CRM_CHROMIUM overrides where the browser is.
/// </summary>
public sealed partial class BrowserFixture : IAsyncLifetime
{
    private IPlaywright _playwright = null!;

    public CrmWebFactory Web { get; } = new(settings: new Dictionary<string, string?> { ["Crm:Demo"] = null });

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Web.StartServer();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CRM_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await Web.DisposeAsync();
    }

    [GeneratedRegex("^Failed to load resource: the server responded with a status of (400|412) ")]
    private static partial Regex ExpectedApiAnswer();

    /// <summary>A fresh browser context (no shared session) whose console errors and failed scripts the test can check.</summary>
    public async Task<(IPage Page, List<string> Errors)> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Web.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1366, Height = 850 },
        });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            // Chromium logs every 4xx; a 400 or 412 from the API is an answer the page shows to the user, not a fault.
            if (message.Type == "error" && !ExpectedApiAnswer().IsMatch(message.Text))
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        return (page, errors);
    }

    /// <summary>Signs in through the sign-in form and waits for the customer search.</summary>
    public static async Task SignInAsync(IPage page, TestUser user)
    {
        await page.GotoAsync("/");
        await page.GetByLabel("Email").FillAsync(user.Email);
        await page.GetByLabel("Password").FillAsync(user.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Searchbox)).ToBeVisibleAsync();
    }

    /// <summary>Saves a screenshot for the README when CRM_SCREENSHOTS names a folder (docs/screenshots).</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("CRM_SCREENSHOTS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"{name}.png") });
        }
    }
}

/// <summary>
/// Runs after the parallel collections, on its own: the browser tests hold the UI to "within a second", which a
/// two-core machine busy starting other tests' silos cannot promise.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
