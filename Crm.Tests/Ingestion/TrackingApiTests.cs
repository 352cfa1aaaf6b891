using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.Security;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Ingestion;

/// <summary>The Segment-compatible tracking API, from the HTTP request to the customer's timeline.</summary>
[Collection(EmbeddedWebCollection.Name)]
public sealed class TrackingApiTests(EmbeddedWebFixture fixture)
{
    private CrmWebFactory Web => fixture.Web;

    [Fact]
    public async Task Every_call_of_the_spec_is_accepted_with_the_spec_answer_and_lands_on_the_customer()
    {
        var source = await NewSourceAsync();
        var user = $"u-{Guid.NewGuid():N}";
        var calls = new (string Call, object Message)[]
        {
            ("identify", new { userId = user, traits = new { name = "Grace Hopper", email = $"{user}@navy.example", plan = "pro", seats = 3 } }),
            ("track", new { userId = user, @event = "Order Completed", properties = new { total = 42.5, currency = "USD" } }),
            ("page", new { userId = user, name = "Pricing", properties = new { url = "https://example.com/pricing" } }),
            ("screen", new { userId = user, name = "Settings" }),
            ("group", new { userId = user, groupId = "acme", traits = new { name = "Acme Corp" } }),
            ("alias", new { userId = user, previousId = $"anon-{user}" }),
        };

        foreach (var (call, message) in calls)
        {
            var response = await source.SendAsync(call, message);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True((await response.ReadJsonAsync()).GetProperty("success").GetBoolean(), call);
        }

        var customer = await source.CustomerAsync(user, c => c.TryGetProperty("company", out _) && c.GetProperty("identities").GetArrayLength() == 3);
        var timeline = await source.TimelineAsync(customer.GetProperty("id").GetString()!);

        Assert.Equal("Grace Hopper", customer.GetProperty("displayName").GetString());
        Assert.Equal($"{user}@navy.example", customer.GetProperty("emails")[0].GetString());
        Assert.Equal("pro", customer.GetProperty("attributes").GetProperty("plan").GetString());
        Assert.Equal(3, customer.GetProperty("attributes").GetProperty("seats").GetInt32());
        Assert.Equal("Acme Corp", customer.GetProperty("company").GetString());
        Assert.Equal(["App", "Order", "Web"], timeline.Select(i => i.GetProperty("channel").GetString()!).Order().Select(c => char.ToUpperInvariant(c[0]) + c[1..]));
        Assert.Contains(timeline, i => i.GetProperty("subject").GetString() == "Viewed Pricing" && i.GetProperty("body").GetString() == "https://example.com/pricing");
        Assert.Contains(timeline, i => i.GetProperty("subject").GetString() == "Order Completed" && i.GetProperty("body").GetString() == "42.5 USD");
        var engagement = customer.GetProperty("engagement").GetProperty("eventsByType");
        Assert.Equal(1, engagement.GetProperty("identify").GetInt64());
        Assert.Equal(1, engagement.GetProperty("track").GetInt64());
    }

    [Fact]
    public async Task A_batch_keeps_the_valid_messages_and_names_each_rejected_one_by_index()
    {
        var source = await NewSourceAsync();
        var user = $"u-{Guid.NewGuid():N}";

        var response = await source.SendAsync("batch", new
        {
            batch = new object[]
            {
                new { type = "track", userId = user, @event = "Signed Up" },
                new { type = "track", userId = user },
                new { type = "shout", userId = user },
                new { type = "page", name = "Home" },
                new { type = "page", userId = user, name = "Home", timestamp = "yesterday" },
                new { type = "page", userId = user, name = "Docs" },
            },
        });
        var result = await response.ReadJsonAsync();

        // The tracking spec keeps the valid messages of a batch; the 400 names each message that was not kept, and why.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(2, result.GetProperty("accepted").GetInt32());
        Assert.Equal(["batch[1].event", "batch[2].type", "batch[3].userId", "batch[4].timestamp"], result.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
        Assert.Contains("Required for track", (await response.ErrorsForAsync("batch[1].event"))[0]);
        Assert.Contains("\"userId\" or \"anonymousId\"", (await response.ErrorsForAsync("batch[3].userId"))[0]);
        Assert.Contains("ISO 8601", (await response.ErrorsForAsync("batch[4].timestamp"))[0]);
        var customer = await source.CustomerAsync(user, c => c.GetProperty("activity").GetProperty("totalInteractions").GetInt64() == 2);
        Assert.Equal(2, (await source.TimelineAsync(customer.GetProperty("id").GetString()!)).Length);
    }

    [Fact]
    public async Task The_same_batch_sent_twice_is_applied_once()
    {
        var source = await NewSourceAsync();
        var user = $"u-{Guid.NewGuid():N}";
        var batch = new { batch = Enumerable.Range(0, 5).Select(i => new { type = "track", userId = user, @event = $"Step {i}", messageId = $"{user}-{i}" }).ToArray() };

        var first = await (await source.SendAsync("batch", batch)).ReadJsonAsync();
        var second = await (await source.SendAsync("batch", batch)).ReadJsonAsync();

        Assert.Equal((5, 0), (first.GetProperty("accepted").GetInt32(), first.GetProperty("duplicates").GetInt32()));
        Assert.Equal((0, 5), (second.GetProperty("accepted").GetInt32(), second.GetProperty("duplicates").GetInt32()));
        var customer = await source.CustomerAsync(user, c => c.GetProperty("activity").GetProperty("totalInteractions").GetInt64() == 5);
        await Task.Delay(300); // Anything applied twice would show up by now.
        Assert.Equal(5, (await source.TimelineAsync(customer.GetProperty("id").GetString()!)).Length);
    }

    [Fact]
    public async Task Late_events_take_their_place_by_timestamp_corrected_for_the_senders_clock()
    {
        var source = await NewSourceAsync();
        var user = $"u-{Guid.NewGuid():N}";
        var now = DateTimeOffset.UtcNow;

        await source.SendAsync("track", new { userId = user, @event = "Recent", timestamp = now.AddMinutes(-1) });
        await source.SendAsync("track", new { userId = user, @event = "Old", timestamp = now.AddDays(-2) });
        // The sender's clock is an hour ahead: it happened 10 minutes before it was sent.
        await source.SendAsync("track", new { userId = user, @event = "Skewed", timestamp = now.AddHours(1).AddMinutes(-10), sentAt = now.AddHours(1) });

        var customer = await source.CustomerAsync(user, c => c.GetProperty("activity").GetProperty("totalInteractions").GetInt64() == 3);
        var timeline = await source.TimelineAsync(customer.GetProperty("id").GetString()!);

        Assert.Equal(["Recent", "Skewed", "Old"], timeline.Select(i => i.GetProperty("subject").GetString()));
        var skewed = timeline[1].GetProperty("occurredAt").GetDateTimeOffset();
        Assert.InRange(skewed, now.AddMinutes(-11), now.AddMinutes(-9));
    }

    [Fact]
    public async Task Anonymous_visits_then_identify_then_alias_make_one_customer_with_the_whole_history()
    {
        var source = await NewSourceAsync();
        var (user, laptop, phone) = ($"u-{Guid.NewGuid():N}", $"laptop-{Guid.NewGuid():N}", $"phone-{Guid.NewGuid():N}");
        var email = $"{user}@example.com";

        await source.SendAsync("page", new { anonymousId = laptop, name = "Home" });
        await source.SendAsync("page", new { anonymousId = laptop, name = "Pricing" });
        await source.SendAsync("identify", new { userId = user, anonymousId = laptop, traits = new { email, name = "Ada Lovelace" } });
        await source.CustomerAsync(email, c => c.GetProperty("activity").GetProperty("totalInteractions").GetInt64() == 2);
        await source.SendAsync("screen", new { anonymousId = phone, name = "Onboarding" });
        await source.CustomerAsync("Anonymous visitor", c => c.GetProperty("activity").GetProperty("totalInteractions").GetInt64() == 1);
        await source.SendAsync("alias", new { previousId = phone, userId = user });

        var customer = await source.CustomerAsync(email, c => c.GetProperty("activity").GetProperty("totalInteractions").GetInt64() == 3);
        var timeline = await source.TimelineAsync(customer.GetProperty("id").GetString()!);
        var identities = customer.GetProperty("identities").EnumerateArray().Select(i => $"{i.GetProperty("kind").GetString()}:{i.GetProperty("value").GetString()}").Order();
        var remaining = await (await source.Admin.Client.GetAsync($"/api/customers?query={user}")).ReadJsonAsync();

        Assert.Equal("Ada Lovelace", customer.GetProperty("displayName").GetString());
        Assert.Equal(["Viewed Home", "Viewed Onboarding screen", "Viewed Pricing"], timeline.Select(i => i.GetProperty("subject").GetString()).Order());
        Assert.Equal([$"anonymous:{laptop}", $"anonymous:{phone}", $"email:{email}", $"user:{user}"], identities);
        Assert.Equal(1, remaining.GetProperty("items").GetArrayLength());
        var all = await (await source.Admin.Client.GetAsync("/api/customers")).ReadJsonAsync();
        Assert.DoesNotContain(all.GetProperty("items").EnumerateArray(), c => c.GetProperty("displayName").GetString() == "Anonymous visitor");
    }

    [Fact]
    public async Task Junk_identities_and_a_shared_email_never_fuse_different_people()
    {
        var source = await NewSourceAsync();
        var (ann, bob) = ($"ann-{Guid.NewGuid():N}", $"bob-{Guid.NewGuid():N}");
        const string shared = "test@example.com";

        await source.SendAsync("identify", new { userId = ann, anonymousId = "anonymous", traits = new { name = "Ann", email = shared } });
        await source.SendAsync("identify", new { userId = bob, anonymousId = "anonymous", traits = new { name = "Bob", email = shared } });
        await source.SendAsync("track", new { userId = "null", anonymousId = "undefined", @event = "Ghost" });

        var annCustomer = await source.CustomerAsync(ann);
        var bobCustomer = await source.CustomerAsync(bob);
        Assert.NotEqual(annCustomer.GetProperty("id").GetString(), bobCustomer.GetProperty("id").GetString());
        Assert.Equal("Ann", annCustomer.GetProperty("displayName").GetString());
        Assert.Equal("Bob", bobCustomer.GetProperty("displayName").GetString());
        Assert.DoesNotContain(annCustomer.GetProperty("identities").EnumerateArray(), i => i.GetProperty("kind").GetString() == "anonymous");
        var bobsIdentities = (await source.CustomerAsync(bob)).GetProperty("identities").EnumerateArray().Select(i => i.GetProperty("kind").GetString());
        var annsIdentities = (await source.CustomerAsync(ann)).GetProperty("identities").EnumerateArray().Select(i => i.GetProperty("kind").GetString());
        Assert.Single(new[] { bobsIdentities, annsIdentities }, kinds => kinds.Contains("email"));
    }

    [Fact]
    public async Task Wrong_revoked_and_missing_write_keys_get_401()
    {
        var source = await NewSourceAsync();
        var wrong = Web.CreateClient();
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("crm_wk_nope:")));
        var message = new { userId = "u", @event = "E" };

        var unknown = await wrong.PostAsJsonAsync("/v1/track", message);
        var missing = await Web.CreateClient().PostAsJsonAsync("/v1/track", message);
        var inBody = await Web.CreateClient().PostAsJsonAsync("/v1/track", new { writeKey = source.WriteKey, userId = "u", @event = "E" });
        await source.Admin.Client.DeleteAsync($"/api/sources/{source.Id}");
        var revoked = await source.SendAsync("track", message);

        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal("Basic realm=\"crm\"", unknown.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(HttpStatusCode.OK, inBody.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
    }

    [Fact]
    public async Task Accepts_gzip_bodies()
    {
        var source = await NewSourceAsync();
        var user = $"u-{Guid.NewGuid():N}";

        var response = await source.SendGzippedAsync("batch", new { batch = new[] { new { type = "identify", userId = user, traits = new { name = "Zipped" } } } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Zipped", (await source.CustomerAsync(user)).GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task Refuses_messages_over_32_kb_and_batches_over_500_kb()
    {
        var source = await NewSourceAsync();
        var big = new string('x', 33 * 1024);

        var message = await source.SendAsync("track", new { userId = "u", @event = "Big", properties = new { big } });
        var batch = await source.SendGzippedAsync("batch", new { batch = Enumerable.Range(0, 20).Select(i => new { type = "track", userId = "u", @event = "E", properties = new { filler = new string('y', 30 * 1024) } }) });
        var oneTooBig = await source.SendAsync("batch", new { batch = new object[] { new { type = "track", userId = "u", @event = "Big", properties = new { big } }, new { type = "track", userId = "u", @event = "Small" } } });

        Assert.Equal(HttpStatusCode.BadRequest, message.StatusCode);
        Assert.NotEmpty(await message.ErrorsForAsync("body"));
        Assert.Equal(HttpStatusCode.BadRequest, batch.StatusCode);
        Assert.Contains("500 KB", Assert.Single(await batch.ErrorsForAsync("body")));
        Assert.Contains("32 KB", Assert.Single(await oneTooBig.ErrorsForAsync("batch[0]")));
        Assert.Equal(1, (await oneTooBig.ReadJsonAsync()).GetProperty("accepted").GetInt32());
    }

    [Fact]
    public async Task Malformed_json_and_single_invalid_messages_get_400_naming_the_problem()
    {
        var source = await NewSourceAsync();

        var malformed = await source.Client.PostAsync("/v1/track", new StringContent("{\"userId\":", Encoding.UTF8, "application/json"));
        var invalid = await source.SendAsync("alias", new { userId = "u" });
        var noBatch = await source.SendAsync("batch", new { messages = Array.Empty<object>() });

        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.NotEmpty(await malformed.ErrorsForAsync("body"));
        Assert.Contains("previousId", Assert.Single(await invalid.ErrorsForAsync("previousId")));
        Assert.NotEmpty(await noBatch.ErrorsForAsync("batch"));
    }

    [Fact]
    public async Task The_debugger_shows_what_was_accepted_and_what_was_rejected_and_why()
    {
        var source = await NewSourceAsync();
        // The debugger records while someone has it open.
        await source.Admin.Client.GetAsync($"/api/sources/{source.Id}/events");
        await source.SendAsync("batch", new { batch = new object[] { new { type = "track", userId = "u", @event = "Fine", messageId = "m-1" }, new { type = "track", @event = "No one" } } });
        await source.SendAsync("track", new { userId = "u", @event = "Fine", messageId = "m-1" });

        var entries = await Eventually.ReturnsAsync(
            async () => (await (await source.Admin.Client.GetAsync($"/api/sources/{source.Id}/events")).ReadJsonAsync()).GetProperty("items").EnumerateArray().ToArray(),
            e => e.Length == 3);

        Assert.Equal(["duplicate", "rejected", "accepted"], entries.Select(e => e.GetProperty("outcome").GetString()));
        Assert.Contains("userId", entries[1].GetProperty("reason").GetString());
        Assert.Equal("m-1", entries[0].GetProperty("messageId").GetString());
    }

    [Fact]
    public async Task Only_admins_create_and_revoke_sources_and_tenants_see_only_their_own()
    {
        var tenant = TestTenants.New();
        var admin = await Web.SignInAsync(tenant, Roles.Admin);
        var (agent, supervisor) = (await Web.SignInAsync(tenant), await Web.SignInAsync(tenant, Roles.Supervisor));
        var stranger = await Web.SignInAsync(TestTenants.New(), Roles.Admin);
        var source = await TestSource.CreateAsync(Web, admin);

        Assert.Equal(HttpStatusCode.Forbidden, (await agent.Client.GetAsync("/api/sources")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await supervisor.Client.PostAsJsonAsync("/api/sources", new { name = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await supervisor.Client.GetAsync($"/api/sources/{source.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync($"/api/sources/{source.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.DeleteAsync($"/api/sources/{source.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync($"/api/sources/{source.Id}/events")).StatusCode);
        var listed = await (await admin.Client.GetAsync("/api/sources")).ReadJsonAsync();
        Assert.False(listed.GetProperty("items")[0].TryGetProperty("writeKey", out _));
    }

    private async Task<TestSource> NewSourceAsync() =>
        await TestSource.CreateAsync(Web, await Web.SignInAsync(TestTenants.New(), Roles.Admin));
}
