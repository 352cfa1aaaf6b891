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
}
