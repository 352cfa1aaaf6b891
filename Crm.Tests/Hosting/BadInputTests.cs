using System.Net;
using System.Text;
using Crm.Security;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Hosting;

/// <summary>Every endpoint answers bad input with a 400 ProblemDetails naming the field and the reason, and writes nothing.</summary>
[Collection(EmbeddedWebCollection.Name)]
public sealed class BadInputTests(EmbeddedWebFixture fixture)
{
    private static readonly string Long = new('x', 501);
    private static readonly string ManyTags = string.Join(",", Enumerable.Repeat("\"t\"", 27_000));

    public static TheoryData<string, string, string, string> Cases => new()
    {
        // method, path ({id}: an existing customer), JSON body ("" for none), field named in the answer
        { "POST", "/api/customers", """{"displayName":""", "body" },
        { "POST", "/api/customers", "[]", "body" },
        { "POST", "/api/customers", "{}", "displayName" },
        { "POST", "/api/customers", """{"displayName":123}""", "displayName" },
        { "POST", "/api/customers", $$"""{"displayName":"{{new string('x', 201)}}"}""", "displayName" },
        { "POST", "/api/customers", """{"displayName":"x","emails":["not-an-email"]}""", "emails[0]" },
        { "POST", "/api/customers", """{"displayName":"x","emails":["a@b.com","a@"]}""", "emails[1]" },
        { "POST", "/api/customers", """{"displayName":"x","phones":["12"]}""", "phones[0]" },
        { "POST", "/api/customers", """{"displayName":"x","country":"XX"}""", "country" },
        { "POST", "/api/customers", """{"displayName":"x","tags":[""]}""", "tags[0]" },
        { "POST", "/api/customers", """{"displayName":"x","lifecycle":"vip"}""", "lifecycle" },
        { "POST", "/api/customers", """{"displayName":"x","consent":{"fax":"granted"}}""", "consent.fax" },
        { "POST", "/api/customers", """{"displayName":"x","consent":{"email":"maybe"}}""", "consent.email" },
        { "POST", "/api/customers", """{"displayName":"x","attributes":{"a":[1]}}""", "attributes.a" },
        { "POST", "/api/customers", """{"displayName":"x","attributes":{"1bad":"v"}}""", "attributes.1bad" },
        { "POST", "/api/customers", """{"displayName":"x","ownerId":"nobody"}""", "ownerId" },
        { "POST", "/api/customers", """{"displayName":"x","address":{"country":"ZZ"}}""", "address.country" },
        { "POST", "/api/customers", """{"displayName":"x","nickname":"y"}""", "nickname" },
        { "PATCH", "/api/customers/{id}", """{"emails":["bad"]}""", "emails[0]" },
        { "PATCH", "/api/customers/{id}", """{"displayName":null}""", "displayName" },
        { "PATCH", "/api/customers/{id}", "[]", "body" },
        { "PATCH", "/api/customers/{id}", """{"id":"other"}""", "id" },
        { "POST", "/api/customers/{id}/interactions", "{}", "channel" },
        { "POST", "/api/customers/{id}/interactions", """{"channel":"fax"}""", "channel" },
        { "POST", "/api/customers/{id}/interactions", """{"channel":"call","occurredAt":"yesterday"}""", "occurredAt" },
        { "POST", "/api/customers/{id}/interactions", """{"channel":"call","occurredAt":"2999-01-01T00:00:00Z"}""", "occurredAt" },
        { "POST", "/api/customers/{id}/interactions", """{"channel":"call","durationSeconds":-1}""", "durationSeconds" },
        { "POST", "/api/customers/{id}/interactions", """{"channel":"call","durationSeconds":"long"}""", "durationSeconds" },
        { "POST", "/api/customers/{id}/interactions", $$"""{"channel":"call","subject":"{{Long}}"}""", "subject" },
        { "POST", "/api/customers/{id}/interactions", """{"channel":"call","direction":"sideways"}""", "direction" },
        { "POST", "/api/customers/{id}/interactions", """{"channel":"call","metadata":{"k":null}}""", "metadata.k" },
        { "GET", "/api/customers/{id}/timeline?limit=0", "", "limit" },
        { "GET", "/api/customers/{id}/timeline?cursor=not-a-cursor", "", "cursor" },
        { "GET", "/api/customers/{id}/timeline?channel=fax", "", "channel" },
        { "GET", "/api/customers?limit=1000", "", "limit" },
        { "GET", "/api/customers?cursor=%21%21", "", "cursor" },
        { "POST", "/api/users", """{"email":"bad","displayName":"x","password":"long enough password","roles":["agent"]}""", "email" },
        { "POST", "/api/users", """{"email":"a@b.com","displayName":"x","password":"short","roles":["agent"]}""", "password" },
        { "POST", "/api/users", """{"email":"a@b.com","displayName":"x","password":"long enough password","roles":["god"]}""", "roles[0]" },
        { "POST", "/api/auth/token", "{}", "username" },
        // What no database can store, sent where any field goes: a 400 where it arrives, never a failed write later.
        { "POST", "/api/customers", """{"displayName":"a\u0000b"}""", "displayName" },
        { "POST", "/api/customers", """{"displayName":"a\ud800b"}""", "displayName" },
        { "POST", "/api/customers", """{"displayName":"x","company":"\udc00"}""", "company" },
        { "POST", "/api/customers", """{"displayName":"x","attributes":{"k":"\u0000"}}""", "attributes.k" },
        { "POST", "/api/customers", """{"displayName":"x","attributes":{"k":"\ud800"}}""", "attributes.k" },
        { "POST", "/api/customers", """{"displayName":"x","tags":["ok","b\u0000d"]}""", "tags[1]" },
        { "POST", "/api/customers", """{"displayName":"x","displayName":"y"}""", "displayName" },
        { "POST", "/api/customers", """{"displayName":"x","externalId":"a\u0000"}""", "externalId" },
        { "POST", "/api/customers", $$"""{"displayName":"x","tags":[{{ManyTags}}]}""", "tags" },
        { "PATCH", "/api/customers/{id}", """{"company":"a","company":"b"}""", "company" },
        { "PATCH", "/api/customers/{id}", """{"company":"\u0000"}""", "company" },
        { "PATCH", "/api/customers/{id}", """{"address":{"city":"x","city":"y"}}""", "city" },
        { "POST", "/api/customers/{id}/interactions", """{"channel":"call","subject":"\u0000"}""", "subject" },
        { "POST", "/api/customers/{id}/interactions", """{"channel":"call","metadata":{"k":"v\u0000"}}""", "metadata.k" },
        { "POST", "/api/customers/{id}/interactions", """{"channel":"call","occurredAt":"0001-01-01T00:00:00+14:00"}""", "occurredAt" },
        { "POST", "/api/customers/{id}/interactions", """{"channel":"call","occurredAt":"9999-12-31T23:59:59Z"}""", "occurredAt" },
        { "GET", "/api/customers?query=a%00b", "", "query" },
        { "GET", "/api/customers?cursor=e30", "", "cursor" },
        { "GET", "/api/customers/{id}/timeline?cursor=e30", "", "cursor" },
        { "POST", "/api/users", """{"email":"a@b.com","displayName":"x\u0000","password":"long enough password","roles":["agent"]}""", "displayName" },
        { "POST", "/api/sources", """{"name":"\u0000"}""", "name" },
        { "POST", "/api/auth/token", """{"username":"a\u0000","password":"x"}""", "username" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Names_the_field_and_writes_nothing(string method, string path, string body, string field)
    {
        var tenant = TestTenants.New();
        var admin = await fixture.Web.SignInAsync(tenant, Roles.Admin);
        var created = await admin.Client.PostAsync("/api/customers", Json("""{"displayName":"Existing"}"""));
        var id = (await created.ReadJsonAsync()).GetProperty("id").GetString()!;
        var before = await StateAsync(admin, id);

        var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{id}", id));
        if (body.Length > 0)
        {
            request.Content = Json(body);
        }

        var response = await admin.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.NotEmpty(await response.ErrorsForAsync(field));
        Assert.Equal(before, await StateAsync(admin, id));
    }

    [Fact]
    public async Task An_oversize_body_is_refused_before_it_is_read()
    {
        var agent = await fixture.Web.SignInAsync(TestTenants.New());
        var huge = $$"""{"displayName":"{{new string('x', 300_000)}}"}""";

        var response = await agent.Client.PostAsync("/api/customers", Json(huge));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("larger than the limit", Assert.Single(await response.ErrorsForAsync("body")));
    }

    [Fact]
    public async Task A_body_that_is_not_json_gets_415()
    {
        var agent = await fixture.Web.SignInAsync(TestTenants.New());

        var response = await agent.Client.PostAsync("/api/customers", new StringContent("displayName=x", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task An_if_match_that_is_not_one_of_our_etags_is_a_400()
    {
        var agent = await fixture.Web.SignInAsync(TestTenants.New());
        var id = (await (await agent.Client.PostAsync("/api/customers", Json("""{"displayName":"x"}"""))).ReadJsonAsync()).GetProperty("id").GetString();
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/customers/{id}") { Content = Json("""{"company":"y"}""") };
        request.Headers.TryAddWithoutValidation("If-Match", "version-one");

        var response = await agent.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotEmpty(await response.ErrorsForAsync("If-Match"));
    }

    /// <summary>Everything a request could have changed: the tenant's customers, the existing one and its timeline, the users.</summary>
    private static async Task<string> StateAsync(TestUser user, string id) =>
        string.Join("|",
            await user.Client.GetStringAsync("/api/customers"),
            await user.Client.GetStringAsync($"/api/customers/{id}"),
            await user.Client.GetStringAsync($"/api/customers/{id}/timeline"),
            await user.Client.GetStringAsync("/api/users"));

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
