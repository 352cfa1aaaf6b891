using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Crm.Web.Ingestion;

namespace Crm.Tests.Ingestion;

/// <summary>
/// What hostile or broken integrations send, at every ingest entry: each is a 4xx that says what is wrong and where,
/// and another tenant's good batch sent at the same moment is acknowledged and applied. Run in memory and on PostgreSQL,
/// where one request's bad row must never fail a transaction that carries other requests.
/// </summary>
public abstract class HostileIngestTests(HostileIngestFixture fixture)
{
    private const string Fine = """{"type":"track","userId":"fine-1","event":"Fine"}""";

    private CrmWebFactory Web => fixture.Web;
    private TestSource Hostile => fixture.Hostile;
    private TestSource Good => fixture.Good;

    /// <summary>A message (raw JSON, escapes as sent) and the field the answer must name, within "batch[0]".</summary>
    public static TheoryData<string, string> Messages => new()
    {
        { """{"type":"track","userId":"a\u0000b","event":"E"}""", "userId" },
        { """{"type":"track","userId":"u","messageId":"m\u0000","event":"E"}""", "messageId" },
        { """{"type":"track","userId":"u","event":"E\u0000"}""", "event" },
        { """{"type":"identify","userId":"u","traits":{"name":"N\u0000"}}""", "traits.name" },
        { """{"type":"identify","userId":"u","traits":{"na\u0000me":"N"}}""", "traits.na" },
        { """{"type":"track","userId":"u","event":"E","properties":{"note":"\u0000"}}""", "properties.note" },
        { """{"type":"track","userId":"u","event":"E","context":{"ip":"\u0000"}}""", "context.ip" },
        { """{"type":"track","userId":"u","event":"E\ud800"}""", "event" },
        { """{"type":"identify","userId":"u","traits":{"name":"\udc00x"}}""", "traits.name" },
        { """{"type":"track","userId":"u","event":"E","timestamp":"0001-01-01T00:00:00Z"}""", "timestamp" },
        { """{"type":"track","userId":"u","event":"E","timestamp":"9999-12-31T23:59:59Z"}""", "timestamp" },
        { """{"type":"track","userId":"u","event":"E","timestamp":"9999-12-31T23:59:59Z","sentAt":"1900-01-01T00:00:00Z"}""", "timestamp" },
        { """{"type":"track","userId":"u","event":"E","timestamp":"0001-01-01T00:00:00+14:00"}""", "timestamp" },
        { """{"type":"track","userId":"u","event":"E","properties":{"n":1e999999}}""", "properties.n" },
        { """{"type":"track","userId":"u","event":"E","properties":{"n":-1e999999}}""", "properties.n" },
        { """{"type":"track","userId":"null","anonymousId":"undefined","event":"E"}""", "userId" },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public async Task A_bad_message_in_a_batch_is_a_400_naming_its_index_and_field_and_the_rest_is_kept(string message, string field)
    {
        var hostile = SendAsync(Hostile, "/v1/batch", Encoding.UTF8.GetBytes($$"""{"batch":[{{message}},{{Fine}}]}"""));
        var answer = await WithGoodBatchMeanwhileAsync(hostile);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        var problem = await answer.ReadJsonAsync();
        var error = Assert.Single(problem.GetProperty("errors").EnumerateObject());
        Assert.StartsWith($"batch[0].{field}", error.Name);
        Assert.NotEmpty(error.Value[0].GetString()!);
        Assert.Equal(1, problem.GetProperty("accepted").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public async Task A_bad_single_message_is_a_400_naming_its_field(string message, string field)
    {
        var single = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(message)!;
        var call = single.Remove("type", out var type) ? type.GetString()! : "track";
        var body = Encoding.UTF8.GetBytes(message.Replace($"\"type\":\"{call}\",", ""));
        var answer = await WithGoodBatchMeanwhileAsync(SendAsync(Hostile, $"/v1/{call}", body));

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.StartsWith(field, Assert.Single((await answer.ReadJsonAsync()).GetProperty("errors").EnumerateObject()).Name);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_message_is_named_and_the_rest_of_the_batch_kept()
    {
        var body = Encoding.UTF8.GetBytes("""{"batch":[{"type":"track","userId":"u","event":"X"},""" + Fine + "]}");
        var x = Array.IndexOf(body, (byte)'X');
        body[x] = 0xff;
        var answer = await WithGoodBatchMeanwhileAsync(SendAsync(Hostile, "/v1/batch", body));

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.NotEmpty(await answer.ErrorsForAsync("batch[0].event"));
        Assert.Equal(1, (await answer.ReadJsonAsync()).GetProperty("accepted").GetInt32());
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    public async Task A_body_that_does_not_decompress_is_a_400(string encoding)
    {
        var answer = await WithGoodBatchMeanwhileAsync(SendAsync(Hostile, "/v1/batch", [0x1f, 0x8b, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 9], encoding));

        // Whether the stream breaks, or ends early and leaves no JSON: the body is what is wrong.
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Single(await answer.ErrorsForAsync("body"));
    }

    [Fact]
    public async Task A_duplicated_key_is_a_400()
    {
        var answer = await WithGoodBatchMeanwhileAsync(SendAsync(Hostile, "/v1/track", """{"userId":"a","userId":"b","event":"E"}"""u8.ToArray()));

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Contains("twice", Assert.Single(await answer.ErrorsForAsync("body")));
    }

    public static TheoryData<string> Signatures => new()
    {
        "t=1700000000,t=1700000001,v1=" + new string('a', 64),
        "t=99999999999999999999999999,v1=" + new string('a', 64),
        "t=-5,v1=" + new string('a', 64),
        "t=now,v1=" + new string('a', 64),
        "t=1700000000,v1=zz",
        "t=1700000000,v1=" + new string('g', 64),
        string.Join(",", Enumerable.Range(0, 1000).Select(i => $"v1={i}")),
        "t=1700000000,v1=" + new string('a', 5000),
        "",
        "=,=,=",
    };

    [Theory]
    [MemberData(nameof(Signatures))]
    public async Task A_malformed_signature_gets_the_same_401_as_an_unknown_source(string signature)
    {
        var body = Encoding.UTF8.GetBytes("""{"type":"order.placed","id":"o-1","customer":{"email":"a@example.com"},"order":{"total":1}}""");
        var bad = new HttpRequestMessage(HttpMethod.Post, $"/api/webhooks/{Hostile.Id}") { Content = Json(body) };
        bad.Headers.TryAddWithoutValidation(WebhookSignatures.Header, signature);
        var unknown = new HttpRequestMessage(HttpMethod.Post, $"/api/webhooks/{Guid.NewGuid()}") { Content = Json(body) };
        unknown.Headers.TryAddWithoutValidation(WebhookSignatures.Header, WebhookSignatures.Sign(Hostile.SigningSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body));

        var answer = await WithGoodBatchMeanwhileAsync(Web.CreateClient().SendAsync(bad));
        var reference = await Web.CreateClient().SendAsync(unknown);

        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, reference.StatusCode);
        var (got, expected) = (await answer.ReadJsonAsync(), await reference.ReadJsonAsync());
        Assert.Equal(expected.GetProperty("title").GetString(), got.GetProperty("title").GetString());
        Assert.Equal(expected.GetProperty("detail").GetString(), got.GetProperty("detail").GetString());
    }

    public static TheoryData<string, string> Webhooks => new()
    {
        { """{"type":"order.placed","id":"o-1","customer":{"email":"a\u0000@example.com"},"order":{"total":1}}""", "customer.email" },
        { """{"type":"call.ended","id":"c-1","customer":{"email":"a@example.com"},"call":{"agent":"\ud800"}}""", "call.agent" },
        { """{"type":"order.placed","id":"o-1","customer":{"email":"a@example.com"},"order":{"total":1e999999}}""", "order.total" },
        { """{"type":"order.placed","id":"o-1","occurredAt":"0001-01-01T00:00:00Z","customer":{"email":"a@example.com"},"order":{"total":1}}""", "occurredAt" },
        { """{"type":"order.placed","id":"o-1","occurredAt":"9999-12-31T23:59:59Z","customer":{"email":"a@example.com"},"order":{"total":1}}""", "occurredAt" },
        { """{"type":"order.placed","id":"o\u0000","customer":{"email":"a@example.com"},"order":{"total":1}}""", "id" },
        { """{"type":"order.placed","type":"call.ended","id":"o-1","customer":{"email":"a@example.com"},"order":{"total":1}}""", "body" },
    };

    [Theory]
    [MemberData(nameof(Webhooks))]
    public async Task A_signed_webhook_that_cannot_be_taken_in_is_a_400_naming_the_field(string webhook, string field)
    {
        var body = Encoding.UTF8.GetBytes(webhook);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/webhooks/{Hostile.Id}") { Content = Json(body) };
        request.Headers.Add(WebhookSignatures.Header, WebhookSignatures.Sign(Hostile.SigningSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body));

        var answer = await WithGoodBatchMeanwhileAsync(Web.CreateClient().SendAsync(request));

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.StartsWith(field, Assert.Single((await answer.ReadJsonAsync()).GetProperty("errors").EnumerateObject()).Name);
    }

    /// <summary>Sends another tenant's good batch while the hostile request is under way; it must be acknowledged and applied.</summary>
    private async Task<HttpResponseMessage> WithGoodBatchMeanwhileAsync(Task<HttpResponseMessage> hostile)
    {
        var userId = $"good-{Guid.NewGuid():N}";
        var good = Good.SendAsync("batch", new { batch = new[] { new { type = "track", userId, @event = "Order Completed" } } });
        await Task.WhenAll(hostile, good);
        Assert.Equal(HttpStatusCode.OK, good.Result.StatusCode);
        var customer = await Good.CustomerAsync(userId, c => c.GetProperty("activity").GetProperty("totalInteractions").GetInt64() == 1);
        Assert.Equal("application/problem+json", hostile.Result.Content.Headers.ContentType?.MediaType);
        return hostile.Result;
    }

    private static Task<HttpResponseMessage> SendAsync(TestSource source, string path, byte[] body, string? encoding = null)
    {
        var content = Json(body);
        if (encoding is not null)
        {
            content.Headers.ContentEncoding.Add(encoding);
        }

        return source.Client.PostAsync(path, content);
    }

    private static ByteArrayContent Json(byte[] body) => new(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
}

/// <summary>One Crm.Web and two tenants' sources, shared by a class's cases.</summary>
public abstract class HostileIngestFixture : IAsyncLifetime
{
    public CrmWebFactory Web { get; private set; } = null!;
    public TestSource Hostile { get; private set; } = null!;
    public TestSource Good { get; private set; } = null!;

    protected abstract Task<CrmWebFactory> StartAsync();

    public async Task InitializeAsync()
    {
        Web = await StartAsync();
        Hostile = await TestSource.CreateAsync(Web, await Web.SignInAsync(TestTenants.New(), Roles.Admin), "Hostile");
        Good = await TestSource.CreateAsync(Web, await Web.SignInAsync(TestTenants.New(), Roles.Admin), "Good");
    }

    public virtual async Task DisposeAsync() => await Web.DisposeAsync();
}

public sealed class EmbeddedHostileIngestFixture : HostileIngestFixture
{
    protected override Task<CrmWebFactory> StartAsync() => Task.FromResult(new CrmWebFactory());
}

public sealed class PostgresHostileIngestFixture : HostileIngestFixture
{
    private TestPostgres _database = null!;

    protected override async Task<CrmWebFactory> StartAsync()
    {
        _database = await TestPostgres.CreateAsync();
        return new CrmWebFactory(_database.ConnectionString);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DisposeAsync();
    }
}

public sealed class EmbeddedHostileIngestTests(EmbeddedHostileIngestFixture fixture) : HostileIngestTests(fixture), IClassFixture<EmbeddedHostileIngestFixture>;

public sealed class PostgresHostileIngestTests(PostgresHostileIngestFixture fixture) : HostileIngestTests(fixture), IClassFixture<PostgresHostileIngestFixture>;
