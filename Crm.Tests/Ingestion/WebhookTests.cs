using System.Net;
using System.Text.Json;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Crm.Web.Ingestion;

namespace Crm.Tests.Ingestion;

/// <summary>Signed webhooks from systems that are not Segment clients: phone systems, help desks, shops.</summary>
[Collection(EmbeddedWebCollection.Name)]
public sealed class WebhookTests(EmbeddedWebFixture fixture)
{
    [Fact]
    public async Task A_signed_call_ticket_and_order_land_on_the_customers_timeline()
    {
        var source = await NewSourceAsync();
        var email = $"caller-{Guid.NewGuid():N}@example.com";
        var customer = new { email, name = "Caller" };

        var call = await SendAsync(source, new { type = "call.ended", id = "c-1", occurredAt = "2026-11-20T10:00:00Z", customer, call = new { direction = "inbound", durationSeconds = 340, agent = "Alex Agent", outcome = "resolved" } });
        var ticket = await SendAsync(source, new { type = "ticket.created", id = "t-1", customer, ticket = new { subject = "Printer on fire", status = "open", priority = "high" } });
        var order = await SendAsync(source, new { type = "order.placed", id = "o-1", customer, order = new { total = 99.9, currency = "EUR", items = 3 } });

        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ticket.StatusCode);
        Assert.Equal(HttpStatusCode.OK, order.StatusCode);
        var found = await source.CustomerAsync(email, c => c.GetProperty("activity").GetProperty("totalInteractions").GetInt64() == 3);
        var timeline = await source.TimelineAsync(found.GetProperty("id").GetString()!);
        var callEntry = timeline.Single(i => i.GetProperty("channel").GetString() == "call");
        Assert.Equal(340, callEntry.GetProperty("durationSeconds").GetInt32());
        Assert.Equal("Alex Agent", callEntry.GetProperty("agent").GetProperty("name").GetString());
        Assert.Equal("resolved", callEntry.GetProperty("outcome").GetString());
        Assert.Equal(DateTimeOffset.Parse("2026-11-20T10:00:00Z"), callEntry.GetProperty("occurredAt").GetDateTimeOffset());
        Assert.Equal("Ticket Created: Printer on fire", timeline.Single(i => i.GetProperty("channel").GetString() == "ticket").GetProperty("subject").GetString());
        Assert.Equal("99.9 EUR", timeline.Single(i => i.GetProperty("channel").GetString() == "order").GetProperty("body").GetString());
    }

    [Fact]
    public async Task A_redelivered_webhook_is_acknowledged_and_applied_once()
    {
        var source = await NewSourceAsync();
        var email = $"caller-{Guid.NewGuid():N}@example.com";
        var webhook = new { type = "call.started", id = "c-9", customer = new { email }, call = new { direction = "outbound" } };

        var first = await (await SendAsync(source, webhook)).ReadJsonAsync();
        var again = await (await SendAsync(source, webhook)).ReadJsonAsync();

        Assert.False(first.GetProperty("duplicate").GetBoolean());
        Assert.True(again.GetProperty("duplicate").GetBoolean());
        var found = await source.CustomerAsync(email, c => c.GetProperty("activity").GetProperty("totalInteractions").GetInt64() == 1);
        Assert.Single(await source.TimelineAsync(found.GetProperty("id").GetString()!));
    }

    [Theory]
    [InlineData("wrong secret")]
    [InlineData("replayed")]
    [InlineData("unsigned")]
    [InlineData("tampered")]
    [InlineData("unknown source")]
    public async Task Refuses_what_the_source_did_not_sign_just_now(string attack)
    {
        var source = await NewSourceAsync();
        var body = JsonSerializer.SerializeToUtf8Bytes(new { type = "order.placed", id = "o-1", customer = new { email = "a@example.com" }, order = new { total = 1 } });
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/webhooks/{(attack == "unknown source" ? Guid.NewGuid() : source.Id)}")
        {
            Content = new ByteArrayContent(attack == "tampered" ? JsonSerializer.SerializeToUtf8Bytes(new { type = "order.placed", id = "o-2" }) : body),
        };
        request.Content.Headers.ContentType = new("application/json");
        var signature = attack switch
        {
            "wrong secret" => WebhookSignatures.Sign("crm_whsec_guess", now, body),
            "replayed" => WebhookSignatures.Sign(source.SigningSecret, now - 600, body),
            "unsigned" => null,
            _ => WebhookSignatures.Sign(source.SigningSecret, now, body),
        };
        if (signature is not null)
        {
            request.Headers.Add(WebhookSignatures.Header, signature);
        }

        var response = await fixture.Web.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task A_signed_webhook_of_an_unknown_shape_gets_400_naming_the_field()
    {
        var source = await NewSourceAsync();

        var unknownType = await SendAsync(source, new { type = "fax.received", id = "f-1" });
        var noCustomer = await SendAsync(source, new { type = "order.placed", id = "o-1", order = new { total = 1 } });

        Assert.Equal(HttpStatusCode.BadRequest, unknownType.StatusCode);
        Assert.NotEmpty(await unknownType.ErrorsForAsync("type"));
        Assert.NotEmpty(await noCustomer.ErrorsForAsync("customer"));
    }

    private async Task<TestSource> NewSourceAsync() =>
        await TestSource.CreateAsync(fixture.Web, await fixture.Web.SignInAsync(TestTenants.New(), Roles.Admin), "Phone system");

    private Task<HttpResponseMessage> SendAsync(TestSource source, object webhook) => source.SendWebhookAsync(fixture.Web.CreateClient(), webhook);
}
