using System.Net.Http.Headers;
using System.Net.Http.Json;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Hosting;

/// <summary>What a newcomer gets from `dotnet run --project Crm.Web`: the demo tenant, signed in as its agent.</summary>
public sealed class EmbeddedDemoTests
{
    [Fact]
    public async Task The_demo_agent_signs_in_with_the_printed_password_and_finds_seeded_customers()
    {
        await using var web = new CrmWebFactory(settings: new Dictionary<string, string?> { ["Crm:Demo"] = null });
        var token = await (await web.CreateClient().PostAsJsonAsync("/api/auth/token", new { username = "agent@demo.local", password = "demo" })).ReadJsonAsync();
        var client = web.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());

        var customers = await (await client.GetAsync("/api/customers?limit=200")).ReadJsonAsync();
        var first = customers.GetProperty("items")[0].GetProperty("id").GetString();
        var timeline = await (await client.GetAsync($"/api/customers/{first}/timeline")).ReadJsonAsync();

        var segment = (await (await client.GetAsync("/api/segments")).ReadJsonAsync()).GetProperty("items")[0];
        var members = await (await client.GetAsync($"/api/segments/{segment.GetProperty("id").GetString()}/members?limit=200")).ReadJsonAsync();

        Assert.Equal(150, customers.GetProperty("items").GetArrayLength());
        Assert.Equal("VIPs still with us", segment.GetProperty("name").GetString());
        Assert.InRange(segment.GetProperty("memberCount").GetInt64(), 1, 149);
        Assert.Equal(segment.GetProperty("memberCount").GetInt64(), members.GetProperty("items").GetArrayLength());
        Assert.Contains(timeline.GetProperty("items").EnumerateArray(), i => i.GetProperty("channel").GetString() == "order");
        Assert.True(timeline.GetProperty("items")[0].GetProperty("occurredAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddDays(-60));
    }
}
