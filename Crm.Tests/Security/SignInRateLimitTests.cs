using System.Net;
using System.Net.Http.Json;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Security;

public sealed class SignInRateLimitTests
{
    [Fact]
    public async Task Answers_too_many_sign_in_attempts_with_429_and_retry_after()
    {
        await using var web = new CrmWebFactory(settings: new Dictionary<string, string?> { ["Crm:Auth:SignInAttemptsPerMinute"] = "3" });
        var client = web.CreateClient();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage last = null!;
        for (var i = 0; i < 4; i++)
        {
            last = await client.PostAsJsonAsync("/api/auth/token", new { username = "guess@example.com", password = $"guess {i}" });
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
        Assert.True(last.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", last.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Behind_a_proxy_that_forwards_client_addresses_counts_each_client_on_its_own()
    {
        await using var web = new CrmWebFactory(settings: new Dictionary<string, string?>
        {
            ["Crm:Auth:SignInAttemptsPerMinute"] = "2",
            ["FORWARDEDHEADERS_ENABLED"] = "true",
        });
        var client = web.CreateClient();

        async Task<HttpStatusCode> SignInFromAsync(string clientAddress)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/token")
            {
                Content = JsonContent.Create(new { username = "guess@example.com", password = "guess" }),
            };
            request.Headers.Add("X-Forwarded-For", clientAddress);
            return (await client.SendAsync(request)).StatusCode;
        }

        var first = new[] { await SignInFromAsync("203.0.113.7"), await SignInFromAsync("203.0.113.7"), await SignInFromAsync("203.0.113.7") };
        var other = await SignInFromAsync("198.51.100.20");

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], first);
        Assert.Equal(HttpStatusCode.Unauthorized, other);
    }
}
