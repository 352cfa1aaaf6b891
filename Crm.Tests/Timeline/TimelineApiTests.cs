using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Timeline;

[Collection(EmbeddedWebCollection.Name)]
public sealed class TimelineApiTests(EmbeddedWebFixture fixture)
{
    [Fact]
    public async Task Logs_an_interaction_and_shows_it_on_the_timeline()
    {
        var agent = await fixture.Web.SignInAsync(TestTenants.New());
        var id = await CreateCustomerAsync(agent);

        var posted = await agent.Client.PostAsJsonAsync($"/api/customers/{id}/interactions", new
        {
            channel = "call",
            direction = "inbound",
            subject = "Billing question",
            body = "Wants to change the card on file.",
            occurredAt = "2026-01-01T10:00:00Z",
            durationSeconds = 340,
            outcome = "resolved",
            metadata = new { queue = "billing" },
        });
        var interaction = await posted.ReadJsonAsync();
        var timeline = await (await agent.Client.GetAsync($"/api/customers/{id}/timeline")).ReadJsonAsync();
        var single = await agent.Client.GetAsync(posted.Headers.Location);
        var customer = await (await agent.Client.GetAsync($"/api/customers/{id}")).ReadJsonAsync();

        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        Assert.Equal(2, interaction.GetProperty("sequence").GetInt64());
        Assert.Equal(agent.Id, interaction.GetProperty("agent").GetProperty("id").GetString());
        Assert.Equal(DateTimeOffset.Parse("2026-01-01T10:00:00Z"), interaction.GetProperty("occurredAt").GetDateTimeOffset());
        Assert.Equal("billing", interaction.GetProperty("metadata").GetProperty("queue").GetString());
        Assert.Equal(interaction.GetProperty("id").GetGuid(), Assert.Single(timeline.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
        Assert.Equal(HttpStatusCode.OK, single.StatusCode);
        Assert.Equal(1, customer.GetProperty("activity").GetProperty("byChannel").GetProperty("call").GetInt64());
        Assert.Equal(2, customer.GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task Sending_the_same_external_id_again_returns_the_stored_interaction()
    {
        var agent = await fixture.Web.SignInAsync(TestTenants.New());
        var id = await CreateCustomerAsync(agent);
        var call = new { channel = "call", subject = "first", externalId = "pbx-77" };

        var first = await agent.Client.PostAsJsonAsync($"/api/customers/{id}/interactions", call);
        var again = await agent.Client.PostAsJsonAsync($"/api/customers/{id}/interactions", call with { subject = "second" });
        var timeline = await (await agent.Client.GetAsync($"/api/customers/{id}/timeline")).ReadJsonAsync();

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal((await first.ReadJsonAsync()).GetProperty("id").GetGuid(), (await again.ReadJsonAsync()).GetProperty("id").GetGuid());
        Assert.Equal("first", Assert.Single(timeline.GetProperty("items").EnumerateArray()).GetProperty("subject").GetString());
    }

    [Fact]
    public async Task An_external_id_of_another_customer_is_a_409()
    {
        var agent = await fixture.Web.SignInAsync(TestTenants.New());
        var (one, other) = (await CreateCustomerAsync(agent), await CreateCustomerAsync(agent));
        await agent.Client.PostAsJsonAsync($"/api/customers/{one}/interactions", new { channel = "email", externalId = "msg-1" });

        var response = await agent.Client.PostAsJsonAsync($"/api/customers/{other}/interactions", new { channel = "email", externalId = "msg-1" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.NotEmpty(await response.ErrorsForAsync("externalId"));
    }

    [Fact]
    public async Task Pages_newest_first_and_filters_by_channel()
    {
        var agent = await fixture.Web.SignInAsync(TestTenants.New());
        var id = await CreateCustomerAsync(agent);
        for (var day = 1; day <= 5; day++)
        {
            await agent.Client.PostAsJsonAsync($"/api/customers/{id}/interactions", new
            {
                channel = day % 2 == 0 ? "email" : "note",
                subject = $"day {day}",
                occurredAt = $"2026-01-0{day}T09:00:00Z",
            });
        }

        var first = await (await agent.Client.GetAsync($"/api/customers/{id}/timeline?limit=2")).ReadJsonAsync();
        var next = await (await agent.Client.GetAsync($"/api/customers/{id}/timeline?limit=2&cursor={first.GetProperty("nextCursor").GetString()}")).ReadJsonAsync();
        var emails = await (await agent.Client.GetAsync($"/api/customers/{id}/timeline?channel=email")).ReadJsonAsync();

        Assert.Equal(["day 5", "day 4"], Subjects(first));
        Assert.Equal(["day 3", "day 2"], Subjects(next));
        Assert.Equal(["day 4", "day 2"], Subjects(emails));
    }

    [Fact]
    public async Task Notes_default_to_internal_and_other_channels_to_inbound()
    {
        var agent = await fixture.Web.SignInAsync(TestTenants.New());
        var id = await CreateCustomerAsync(agent);

        var note = await (await agent.Client.PostAsJsonAsync($"/api/customers/{id}/interactions", new { channel = "note" })).ReadJsonAsync();
        var chat = await (await agent.Client.PostAsJsonAsync($"/api/customers/{id}/interactions", new { channel = "chat" })).ReadJsonAsync();

        Assert.Equal("internal", note.GetProperty("direction").GetString());
        Assert.Equal("inbound", chat.GetProperty("direction").GetString());
    }

    private static async Task<string> CreateCustomerAsync(TestUser user)
    {
        var response = await user.Client.PostAsJsonAsync("/api/customers", new { displayName = "Grace Hopper" });
        response.EnsureSuccessStatusCode();
        return (await response.ReadJsonAsync()).GetProperty("id").GetString()!;
    }

    private static string[] Subjects(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("subject").GetString()!).ToArray();
}
