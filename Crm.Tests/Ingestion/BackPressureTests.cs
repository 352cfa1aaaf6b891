using System.Net;
using Crm.Security;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Ingestion;

public sealed class BackPressureTests
{
    [Fact]
    public async Task Past_the_bound_on_events_in_flight_a_request_gets_429_with_retry_after_and_nothing_is_stored()
    {
        await using var web = new CrmWebFactory(settings: new Dictionary<string, string?> { ["Crm:Ingest:MaxEventsInFlight"] = "5", ["Crm:Ingest:MaxEventsInFlightPerTenant"] = "5" });
        var admin = await web.SignInAsync(TestTenants.New(), Roles.Admin);
        var source = await TestSource.CreateAsync(web, admin);

        var tooMany = await source.SendAsync("batch", new { batch = Enumerable.Range(0, 6).Select(i => new { type = "track", userId = "u", @event = "E", messageId = $"m{i}" }) });
        var fits = await source.SendAsync("batch", new { batch = Enumerable.Range(0, 5).Select(i => new { type = "track", userId = "u", @event = "E", messageId = $"m{i}" }) });

        Assert.Equal(HttpStatusCode.TooManyRequests, tooMany.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), tooMany.Headers.RetryAfter?.Delta);
        Assert.Equal(5, (await fits.ReadJsonAsync()).GetProperty("accepted").GetInt32());
    }
}
