using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Customers;
using Crm.Ingestion;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Tests.Ingestion;

/// <summary>
/// Someone whose customer was deleted, or merged into one that was deleted, comes back: their events make a new
/// customer, and the deleted one keeps only its own history. Nothing is parked or lost.
/// </summary>
[Collection(EmbeddedWebCollection.Name)]
public sealed class ReturningPersonTests(EmbeddedWebFixture fixture)
{
    [Fact]
    public async Task Events_from_someone_whose_customer_was_deleted_make_a_new_customer_each_time()
    {
        var admin = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Admin);
        var source = await TestSource.CreateAsync(fixture.Web, admin);
        await Sent(source.SendAsync("identify", new { userId = "back-1", traits = new { name = "First life", email = "back@example.com" } }));
        var first = Assert.Single(await Eventually.ReturnsAsync(() => ListAsync(admin), c => c.Length == 1));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.DeleteAsync($"/api/customers/{first}")).StatusCode);

        await Sent(source.SendAsync("track", new { userId = "back-1", @event = "Came Back" }));
        var second = Assert.Single(await Eventually.ReturnsAsync(() => ListAsync(admin), c => c.Length == 1));
        Assert.Equal(["Came Back"], (await Eventually.ReturnsAsync(() => source.TimelineAsync(second), t => t.Length == 1)).Select(Subject));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.DeleteAsync($"/api/customers/{second}")).StatusCode);
        await Sent(source.SendAsync("track", new { userId = "back-1", @event = "Came Back Again", context = new { traits = new { email = "back@example.com" } } }));
        var third = Assert.Single(await Eventually.ReturnsAsync(() => ListAsync(admin), c => c.Length == 1));

        Assert.Equal(3, new[] { first, second, third }.Distinct().Count());
        Assert.Equal(["Came Back Again"], (await Eventually.ReturnsAsync(() => source.TimelineAsync(third), t => t.Length == 1)).Select(Subject));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Client.GetAsync($"/api/customers/{first}")).StatusCode);
        var standing = await fixture.Web.Services.GetRequiredService<IGrainFactory>().GetGrain<ICustomerGrain>(new CustomerKey(admin.Tenant, first).ToString()).GetStandingAsync();
        Assert.Equal(CustomerStandingKind.Deleted, standing.Kind);
        await NothingParkedAsync(admin.Tenant);
    }

    [Fact]
    public async Task Events_for_a_visitor_merged_into_a_customer_that_was_deleted_make_a_new_customer()
    {
        var admin = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Admin);
        var source = await TestSource.CreateAsync(fixture.Web, admin);
        var anonymousId = $"anon-{Guid.NewGuid():N}";
        await Sent(source.SendAsync("identify", new { userId = "merged-1", traits = new { name = "Mia" } }));
        await Eventually.ReturnsAsync(() => ListAsync(admin), c => c.Length == 1);
        await Sent(source.SendAsync("page", new { anonymousId, name = "Pricing" }));
        await Eventually.ReturnsAsync(() => ListAsync(admin), c => c.Length == 2);
        await Sent(source.SendAsync("track", new { userId = "merged-1", anonymousId, @event = "Signed In" }));
        var mia = Assert.Single(await Eventually.ReturnsAsync(() => ListAsync(admin), c => c.Length == 1));
        await Eventually.ReturnsAsync(() => source.TimelineAsync(mia), t => t.Length == 2);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.DeleteAsync($"/api/customers/{mia}")).StatusCode);

        await Sent(source.SendAsync("page", new { anonymousId, name = "Pricing again" }));

        var next = Assert.Single(await Eventually.ReturnsAsync(() => ListAsync(admin), c => c.Length == 1));
        Assert.NotEqual(mia, next);
        Assert.Equal(["Viewed Pricing again"], (await Eventually.ReturnsAsync(() => source.TimelineAsync(next), t => t.Length == 1)).Select(Subject));
        await NothingParkedAsync(admin.Tenant);
    }

    [Fact]
    public async Task Identities_beyond_a_customers_limits_are_not_left_claimed_for_it()
    {
        var admin = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Admin);
        var source = await TestSource.CreateAsync(fixture.Web, admin);
        await Sent(source.SendAsync("identify", new { userId = "many-devices", traits = new { name = "Many devices" } }));
        var customer = Assert.Single(await Eventually.ReturnsAsync(() => ListAsync(admin), c => c.Length == 1));
        await Sent(source.SendAsync("batch", new
        {
            batch = Enumerable.Range(0, CustomerIdentities.MaxPerKind[IdentityKind.Anonymous] + 5)
                .Select(i => new { type = "track", userId = "many-devices", anonymousId = $"device-{i}", @event = "Seen", messageId = $"seen-{i}" }),
        }));
        await Eventually.ReturnsAsync(() => source.TimelineAsync(customer), t => t.Length == CustomerIdentities.MaxPerKind[IdentityKind.Anonymous] + 5);

        var index = fixture.Web.Services.GetRequiredService<IIdentityIndex>();
        var devices = Enumerable.Range(0, CustomerIdentities.MaxPerKind[IdentityKind.Anonymous] + 5).Select(i => new TenantIdentity(admin.Tenant, new Identity(IdentityKind.Anonymous, $"device-{i}"))).ToHashSet();
        var owners = await Eventually.ReturnsAsync(() => index.FindAsync(devices), o => o.Values.Count(v => v.CustomerId == customer) <= CustomerIdentities.MaxPerKind[IdentityKind.Anonymous]);
        var held = (await (await admin.Client.GetAsync($"/api/customers/{customer}")).ReadJsonAsync()).GetProperty("identities").EnumerateArray()
            .Where(i => i.GetProperty("kind").GetString() == "anonymous").Select(i => i.GetProperty("value").GetString()).ToHashSet();
        Assert.All(owners.Where(o => o.Value.CustomerId == customer), o => Assert.Contains(o.Key.Identity.Value, held));
    }

    private async Task NothingParkedAsync(string tenantId)
    {
        var grains = fixture.Web.Services.GetRequiredService<IGrainFactory>();
        var statuses = await Task.WhenAll(Enumerable.Range(0, fixture.Web.Services.GetRequiredService<IIngestLog>().Partitions).Select(p => grains.GetGrain<IIngestPartitionGrain>(p).GetStatusAsync()));
        Assert.DoesNotContain(statuses.SelectMany(s => s.Parked), p => p.TenantId == tenantId);
    }

    private static async Task Sent(Task<HttpResponseMessage> sending) => Assert.Equal(HttpStatusCode.OK, (await sending).StatusCode);

    private static string? Subject(JsonElement interaction) => interaction.GetProperty("subject").GetString();

    private static async Task<string[]> ListAsync(TestUser user) =>
        [.. (await (await user.Client.GetAsync("/api/customers?limit=200")).ReadJsonAsync()).GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetString()!)];
}
