using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Customers;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Tests.DataQuality;

[Collection(EmbeddedWebCollection.Name)]
public sealed class DataQualityTests(EmbeddedWebFixture fixture)
{
    [Fact]
    public async Task A_scan_reports_completeness_failing_values_stale_records_and_scores_with_the_customers_concerned()
    {
        var tenant = TestTenants.New();
        var (admin, supervisor) = (await fixture.Web.SignInAsync(tenant, Roles.Admin), await fixture.Web.SignInAsync(tenant, Roles.Supervisor));
        var complete = await CreateAsync(admin, new { displayName = "Complete", emails = new[] { "c@example.com" }, company = "Acme", attributes = new { plan = "pro" } });
        var gaps = await CreateAsync(admin, new { displayName = "Gaps", emails = new[] { "g@example.com" }, attributes = new { plan = "gold" } });
        Assert.Equal(HttpStatusCode.OK, (await admin.Client.PutAsJsonAsync("/api/fields/plan", new { type = "oneOf", options = new[] { "basic", "pro" } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.Client.PutAsJsonAsync("/api/data-quality/rules", new { required = new[] { "emails", "company", "attributes.plan" }, staleAfterDays = 30 })).StatusCode);
        var grains = fixture.Web.Services.GetRequiredService<IGrainFactory>();
        // Stored before today's rules, and untouched for two years: what older imports and data left behind.
        var (badPhone, stale) = (Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N"));
        await grains.GetGrain<ICustomerGrain>(new CustomerKey(tenant, badPhone).ToString()).RestoreAsync(new Customer
        {
            Id = badPhone, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            Profile = new CustomerProfile { DisplayName = "Bad Phone", Emails = ["p@example.com"], Phones = ["+15550100"], Company = "X", Attributes = Plan("basic") },
        });
        await grains.GetGrain<ICustomerGrain>(new CustomerKey(tenant, stale).ToString()).RestoreAsync(new Customer
        {
            Id = stale, CreatedAt = DateTimeOffset.UtcNow.AddYears(-3), UpdatedAt = DateTimeOffset.UtcNow.AddYears(-2),
            Profile = new CustomerProfile { DisplayName = "Stale", Emails = ["s@example.com"], Company = "Y", Attributes = Plan("pro") },
        });
        await Eventually.ReturnsAsync(async () => (await (await supervisor.Client.GetAsync("/api/customers")).ReadJsonAsync()).GetProperty("items").GetArrayLength(), n => n == 4);

        Assert.Equal(HttpStatusCode.Accepted, (await supervisor.Client.PostAsync("/api/data-quality/scan", null)).StatusCode);
        var quality = await Eventually.ReturnsAsync(async () => await (await supervisor.Client.GetAsync("/api/data-quality")).ReadJsonAsync(),
            q => q.TryGetProperty("latest", out _));

        var latest = quality.GetProperty("latest");
        Assert.Equal(4, latest.GetProperty("customers").GetInt64());
        Assert.Equal(0.75, latest.GetProperty("completeness").GetProperty("company").GetDouble());
        Assert.Equal(1, latest.GetProperty("completeness").GetProperty("emails").GetDouble());
        var problems = latest.GetProperty("problems").EnumerateArray().ToDictionary(p => $"{p.GetProperty("rule").GetString()}:{p.GetProperty("field").GetString()}");
        Assert.Equal([gaps], Examples(problems["required:company"]));
        Assert.Equal([gaps], Examples(problems["allowedValues:attributes.plan"]));
        Assert.Equal([badPhone], Examples(problems["format:phones"]));
        Assert.Equal([stale], Examples(problems["freshness:updatedAt"]));
        Assert.DoesNotContain(problems.Values, p => Examples(p).Contains(complete));
        Assert.InRange(latest.GetProperty("score").GetDouble(), 50, 99);
        Assert.Equal(gaps, latest.GetProperty("worst")[0].GetProperty("customerId").GetString());
        Assert.Single(quality.GetProperty("trend").EnumerateArray());
        var one = await (await supervisor.Client.GetAsync($"/api/data-quality/customers/{gaps}")).ReadJsonAsync();
        Assert.Equal(["allowedValues:attributes.plan", "required:company"],
            one.GetProperty("problems").EnumerateArray().Select(p => $"{p.GetProperty("rule").GetString()}:{p.GetProperty("field").GetString()}").Order());
        Assert.Equal(100, (await (await supervisor.Client.GetAsync($"/api/data-quality/customers/{complete}")).ReadJsonAsync()).GetProperty("score").GetDouble());
    }

    [Fact]
    public async Task Agents_see_no_report_supervisors_set_no_rules_and_a_rule_on_an_unknown_field_is_named()
    {
        var tenant = TestTenants.New();
        var (agent, supervisor, admin) = (await fixture.Web.SignInAsync(tenant), await fixture.Web.SignInAsync(tenant, Roles.Supervisor), await fixture.Web.SignInAsync(tenant, Roles.Admin));

        Assert.Equal(HttpStatusCode.Forbidden, (await agent.Client.GetAsync("/api/data-quality")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await supervisor.Client.PutAsJsonAsync("/api/data-quality/rules", new { required = new[] { "emails" } })).StatusCode);
        Assert.NotEmpty(await (await admin.Client.PutAsJsonAsync("/api/data-quality/rules", new { required = new[] { "shoeSize" }, staleAfterDays = 0 })).ErrorsForAsync("required[0]"));
        Assert.Equal(HttpStatusCode.NotFound, (await agent.Client.GetAsync("/api/data-quality/customers/nobody")).StatusCode);
    }

    private static System.Collections.Immutable.ImmutableDictionary<string, AttributeValue> Plan(string plan) =>
        System.Collections.Immutable.ImmutableDictionary<string, AttributeValue>.Empty.Add("plan", AttributeValue.Text(plan));

    private static string[] Examples(JsonElement problem) => [.. problem.GetProperty("examples").EnumerateArray().Select(e => e.GetString()!)];

    private static async Task<string> CreateAsync(TestUser user, object profile) =>
        (await (await user.Client.PostAsJsonAsync("/api/customers", profile)).ReadJsonAsync()).GetProperty("id").GetString()!;
}
