using System.Collections.Immutable;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Crm.Customers;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Crm.Timeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Crm.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class LiveTimelineTests(BrowserFixture fixture)
{
    [Fact]
    public async Task After_the_connection_drops_what_was_added_meanwhile_appears_exactly_once()
    {
        var tenant = TestTenants.New();
        var (agent, colleague) = (await fixture.Web.SignInAsync(tenant), await fixture.Web.SignInAsync(tenant));
        var id = await CreateCustomerAsync(colleague, "Hedy Lamarr");
        var (page, errors) = await fixture.NewPageAsync();
        var network = new HubNetwork();
        await network.RouteAsync(page);
        await BrowserFixture.SignInAsync(page, agent);
        await page.GotoAsync($"/#/customers/{id}");
        var live = page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Live" });
        await Expect(live).ToBeVisibleAsync();
        await LogAsync(colleague, id, "before the drop");
        await Expect(Entry(page, "before the drop")).ToBeVisibleAsync();

        await network.DropAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Reconnecting" })).ToBeVisibleAsync();
        await LogAsync(colleague, id, "while down 1");
        await LogAsync(colleague, id, "while down 2");
        await BrowserFixture.ScreenshotAsync(page, "customer-reconnecting");
        network.Restore();

        await Expect(live).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(Entry(page, "while down 1")).ToHaveCountAsync(1);
        await Expect(Entry(page, "while down 2")).ToHaveCountAsync(1);
        await LogAsync(colleague, id, "after the return");
        await Expect(Entry(page, "after the return")).ToHaveCountAsync(1);
        await Expect(Entry(page, "before the drop")).ToHaveCountAsync(1);
        // The browser itself reports the requests the dropped network failed; the page reports nothing.
        Assert.All(errors, e => Assert.Contains("net::ERR_INTERNET_DISCONNECTED", e));
    }

    [Fact]
    public async Task The_profile_card_counts_an_interaction_the_moment_it_arrives()
    {
        var tenant = TestTenants.New();
        var (agent, colleague) = (await fixture.Web.SignInAsync(tenant), await fixture.Web.SignInAsync(tenant));
        var id = await CreateCustomerAsync(colleague, "Grace Hopper");
        var (page, errors) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, agent);
        await page.GotoAsync($"/#/customers/{id}");
        var card = page.GetByRole(AriaRole.Complementary, new() { Name = "Profile" });
        await Expect(card).ToContainTextAsync("Interactions0");
        await Expect(card).ToContainTextAsync("Last contactnever");

        await LogAsync(colleague, id, "A first chat");
        await LogAsync(colleague, id, "A second chat");

        await Expect(Entry(page, "A second chat")).ToBeVisibleAsync();
        await Expect(card).ToContainTextAsync("Interactions2 (2 chat");
        await Expect(card).Not.ToContainTextAsync("Last contactnever");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_profile_card_shows_the_value_segment_the_customer_is_placed_in()
    {
        var tenant = TestTenants.New();
        var (agent, supervisor) = (await fixture.Web.SignInAsync(tenant), await fixture.Web.SignInAsync(tenant, Roles.Supervisor));
        var kinds = await Analytics.ValueSegmentsApiTests.OrdersAsync(supervisor);
        (await supervisor.Client.PostAsync("/api/analytics/segments/train", null)).EnsureSuccessStatusCode();
        await Eventually.ReturnsAsync(
            async () => (await (await supervisor.Client.GetAsync("/api/analytics/segments")).ReadJsonAsync()).GetProperty("training").GetProperty("status").GetString(),
            status => status == "completed");
        var (page, errors) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, agent);

        await page.GotoAsync($"/#/customers/{kinds.First(k => k.Value == "regular").Key}");

        var card = page.GetByRole(AriaRole.Complementary, new() { Name = "Profile" });
        await Expect(card).ToContainTextAsync("Value segmentChampions (8 orders");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task An_interaction_that_arrives_while_the_timeline_loads_stays_on_it()
    {
        var tenant = TestTenants.New();
        var (agent, colleague) = (await fixture.Web.SignInAsync(tenant), await fixture.Web.SignInAsync(tenant));
        var id = await CreateCustomerAsync(colleague, "Ada Lovelace");
        var (page, errors) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, agent);
        // The timeline's first page is read at once but reaches the page only after an interaction was pushed live.
        var (read, pushed) = await HoldTimelinePageAsync(page, "/timeline\\?");
        await page.GotoAsync($"/#/customers/{id}");
        await read.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await LogAsync(colleague, id, "Logged meanwhile");
        var feed = page.GetByRole(AriaRole.Feed);
        await Expect(feed).ToHaveAttributeAsync("aria-busy", "true");
        await Expect(Entry(page, "Logged meanwhile")).ToBeVisibleAsync();
        pushed.SetResult();

        await Expect(feed).ToHaveAttributeAsync("aria-busy", "false");
        await Expect(Entry(page, "Logged meanwhile")).ToHaveCountAsync(1);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task An_older_interaction_that_arrives_while_another_channel_loads_is_kept()
    {
        var tenant = TestTenants.New();
        var (agent, colleague) = (await fixture.Web.SignInAsync(tenant), await fixture.Web.SignInAsync(tenant));
        var id = await CreateCustomerAsync(colleague, "Grace Hopper");
        // More than a page of chats, so that the list shown has more to load; a call or two, so that calls fit on one page.
        for (var i = 0; i < 101; i++)
        {
            await LogAsync(colleague, id, $"Chat {i}");
        }

        var (page, errors) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, agent);
        await page.GotoAsync($"/#/customers/{id}");
        var feed = page.GetByRole(AriaRole.Feed);
        await Expect(Entry(page, "Chat 100")).ToBeVisibleAsync();
        await Expect(feed).ToHaveAttributeAsync("aria-busy", "false");
        // The calls' first page is read at once but reaches the page only after two calls were pushed live.
        var (read, pushed) = await HoldTimelinePageAsync(page, "/timeline\\?.*channel=call");
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Channel", Exact = true }).SelectOptionAsync("call");
        await read.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await LogAsync(colleague, id, "Call last year", channel: "call", occurredAt: DateTimeOffset.UtcNow.AddYears(-1));
        await LogAsync(colleague, id, "Call just now", channel: "call");
        // Pushes reach the page in order: once the newer call is shown, the older one was pushed before it.
        await Expect(Entry(page, "Call just now")).ToBeVisibleAsync();
        pushed.SetResult();

        await Expect(feed).ToHaveAttributeAsync("aria-busy", "false");
        await Expect(Entry(page, "Call last year")).ToHaveCountAsync(1);
        await Expect(Entry(page, "Call just now")).ToHaveCountAsync(1);
        await Expect(Entry(page, "Chat 100")).ToHaveCountAsync(0);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_customer_with_ten_thousand_interactions_opens_and_scrolls_without_rendering_its_history()
    {
        var agent = await fixture.Web.SignInAsync(TestTenants.New());
        var id = await CreateCustomerAsync(agent, "Long History");
        var grain = fixture.Web.Services.GetRequiredService<IGrainFactory>().GetGrain<ICustomerGrain>(new CustomerKey(agent.Tenant, id).ToString());
        var start = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 10_000; i++)
        {
            await grain.AddInteractionAsync(new NewInteraction
            {
                Channel = (InteractionChannel)(i % 9),
                OccurredAt = start.AddMinutes(i),
                Subject = $"#{i}",
                Metadata = ImmutableDictionary<string, string>.Empty,
            });
        }

        var (page, errors) = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, agent);
        await page.GotoAsync($"/#/customers/{id}");
        await Expect(Entry(page, "#9999")).ToBeVisibleAsync();
        var feed = page.GetByRole(AriaRole.Feed);

        var rendered = new List<int>();
        for (var step = 0; step < 15; step++)
        {
            await feed.EvaluateAsync("list => list.scrollTop = list.scrollHeight");
            await Expect(feed).ToHaveAttributeAsync("aria-busy", "false");
            rendered.Add(await page.GetByRole(AriaRole.Article).CountAsync());
        }

        // Scrolled far down: older pages loaded as it went, and what is on screen is what is at that position.
        var loaded = await feed.EvaluateAsync<double>("list => list.scrollHeight / 88");
        var top = await feed.EvaluateAsync<double>("list => Math.floor(list.scrollTop / 88)");
        var expectedSubject = $"#{9999 - (int)top}";
        await Expect(Entry(page, expectedSubject)).ToBeVisibleAsync();
        Assert.True(loaded > 1000, $"Only {loaded} rows' worth of history was loaded by scrolling.");
        Assert.All(rendered, count => Assert.InRange(count, 1, 40));
        Assert.Empty(errors);
    }

    /// <summary>Lets the next timeline page matching the pattern be read at once but reach the page only when <c>pushed</c> is set.</summary>
    private static async Task<(TaskCompletionSource Read, TaskCompletionSource Pushed)> HoldTimelinePageAsync(IPage page, string pattern)
    {
        var (read, pushed) = (new TaskCompletionSource(), new TaskCompletionSource());
        await page.RouteAsync(new Regex(pattern), async route =>
        {
            var response = await route.FetchAsync();
            read.TrySetResult();
            await pushed.Task;
            await route.FulfillAsync(new() { Response = response });
        });
        return (read, pushed);
    }

    private static ILocator Entry(IPage page, string subject) =>
        page.GetByRole(AriaRole.Article).Filter(new() { Has = page.GetByText(subject, new() { Exact = true }) });

    private static async Task<string> CreateCustomerAsync(TestUser user, string name)
    {
        var response = await user.Client.PostAsJsonAsync("/api/customers", new { displayName = name });
        response.EnsureSuccessStatusCode();
        return (await response.ReadJsonAsync()).GetProperty("id").GetString()!;
    }

    private static async Task LogAsync(TestUser user, string id, string subject, string channel = "chat", DateTimeOffset? occurredAt = null) =>
        (await user.Client.PostAsJsonAsync($"/api/customers/{id}/interactions", new { channel, subject, occurredAt = occurredAt?.ToString("O") })).EnsureSuccessStatusCode();

    /// <summary>Plays the network between the page and the hub: it can drop the live connection and keep it down.</summary>
    private sealed class HubNetwork
    {
        private readonly List<IWebSocketRoute> _sockets = [];
        private volatile bool _down;

        public async Task RouteAsync(IPage page)
        {
            await page.RouteWebSocketAsync(new Regex("/hubs/crm"), socket =>
            {
                if (_down)
                {
                    _ = socket.CloseAsync(new() { Code = 1001, Reason = "network down" });
                    return;
                }

                socket.ConnectToServer();
                lock (_sockets)
                {
                    _sockets.Add(socket);
                }
            });
            // While down, the other transports and the negotiation fail too, as they would without a network.
            await page.RouteAsync(new Regex("/hubs/crm"), route => _down ? route.AbortAsync("internetdisconnected") : route.ContinueAsync());
        }

        public async Task DropAsync()
        {
            _down = true;
            IWebSocketRoute[] open;
            lock (_sockets)
            {
                open = [.. _sockets];
                _sockets.Clear();
            }

            foreach (var socket in open)
            {
                await socket.CloseAsync(new() { Code = 4000, Reason = "network down" });
            }
        }

        public void Restore() => _down = false;
    }
}
