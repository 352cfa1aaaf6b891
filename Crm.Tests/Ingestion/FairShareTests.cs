using System.Collections.Concurrent;
using System.Net;
using Crm.Security;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Ingestion;

/// <summary>One tenant's flood is answered 429 with Retry-After at its source's rate limit, and other tenants are served all along.</summary>
public sealed class FairShareTests
{
    [Fact]
    public async Task A_flooding_source_is_limited_while_another_tenant_is_served_throughout()
    {
        await using var web = new CrmWebFactory(settings: new Dictionary<string, string?>
        {
            ["Crm:Ingest:RateLimit:EventsPerSecond"] = "500",
            ["Crm:Ingest:RateLimit:Burst"] = "1000",
        });
        var flooder = await TestSource.CreateAsync(web, await web.SignInAsync(TestTenants.New(), Roles.Admin), "Flood");
        var other = await TestSource.CreateAsync(web, await web.SignInAsync(TestTenants.New(), Roles.Admin), "Quiet");
        var floodAnswers = new ConcurrentBag<HttpResponseMessage>();
        using var stop = new CancellationTokenSource();
        var flood = Enumerable.Range(0, 8).Select(sender => Task.Run(async () =>
        {
            for (var batch = 0; !stop.IsCancellationRequested; batch++)
            {
                floodAnswers.Add(await flooder.SendAsync("batch", new
                {
                    batch = Enumerable.Range(0, 100).Select(i => new { type = "track", userId = $"f-{i % 20}", @event = "Flood", messageId = $"flood-{sender}-{batch}-{i}" }),
                }));
            }
        })).ToList();

        var userId = $"quiet-{Guid.NewGuid():N}";
        var quietAnswers = new List<HttpStatusCode>();
        for (var i = 0; i < 40; i++)
        {
            quietAnswers.Add((await other.SendAsync("batch", new { batch = new[] { new { type = "track", userId, @event = "Quiet", messageId = $"quiet-{i}" } } })).StatusCode);
        }

        await stop.CancelAsync();
        await Task.WhenAll(flood);

        Assert.All(quietAnswers, status => Assert.Equal(HttpStatusCode.OK, status));
        var limited = floodAnswers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.All(limited, a => Assert.True(a.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1)));
        Assert.Contains("rate limit", (await limited[0].ReadJsonAsync()).GetProperty("title").GetString());
        await other.CustomerAsync(userId, c => c.GetProperty("activity").GetProperty("totalInteractions").GetInt64() == 40);
    }
}
