using System.Net;
using System.Net.Http.Json;
using Crm.Tests.Infrastructure;
using Crm.Tests.Merges;

namespace Crm.Tests.Customers;

/// <summary>Sorting the customer list through the API: by the order asked, paged with its own cursors, and refused clearly.</summary>
[Collection(EmbeddedWebCollection.Name)]
public sealed class CustomerSortApiTests(EmbeddedWebFixture fixture)
{
    [Fact]
    public async Task The_list_comes_in_the_order_asked_and_a_cursor_pages_only_the_order_it_was_made_for()
    {
        var agent = await fixture.Web.SignInAsync(TestTenants.New());
        var first = await MergeAndUndo.CreateAsync(agent, new { displayName = "Bea First" });
        var second = await MergeAndUndo.CreateAsync(agent, new { displayName = "Cy Second" });
        var third = await MergeAndUndo.CreateAsync(agent, new { displayName = "Al Third" });

        var newest = await (await agent.Client.GetAsync("/api/customers?sort=-createdAt&limit=2")).ReadJsonAsync();
        var cursor = Uri.EscapeDataString(newest.GetProperty("nextCursor").GetString()!);
        var rest = await (await agent.Client.GetAsync($"/api/customers?sort=-createdAt&limit=2&cursor={cursor}")).ReadJsonAsync();
        var byName = await (await agent.Client.GetAsync("/api/customers?sort=-name")).ReadJsonAsync();
        var wrongSort = await agent.Client.GetAsync("/api/customers?sort=shoeSize");
        var otherOrder = await agent.Client.GetAsync($"/api/customers?sort=createdAt&cursor={cursor}");
        var defaultOrder = await agent.Client.GetAsync($"/api/customers?cursor={cursor}");
        var supervisor = await fixture.Web.SignInAsync(agent.Tenant, Crm.Security.Roles.Supervisor);
        var segment = await (await supervisor.Client.PostAsJsonAsync("/api/segments", new { name = "Everyone", rules = new { all = Array.Empty<object>() } })).ReadJsonAsync();
        var members = await agent.Client.GetAsync($"/api/segments/{segment.GetProperty("id").GetString()}/members?cursor={cursor}");

        Assert.Equal([third, second, first], newest.GetProperty("items").EnumerateArray().Concat(rest.GetProperty("items").EnumerateArray()).Select(c => c.GetProperty("id").GetString()));
        Assert.False(rest.TryGetProperty("nextCursor", out _));
        Assert.Equal(0, newest.GetProperty("items")[0].GetProperty("totalInteractions").GetInt64());
        Assert.True(newest.GetProperty("items")[0].GetProperty("createdAt").GetDateTimeOffset() >= newest.GetProperty("items")[1].GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal(["Cy Second", "Bea First", "Al Third"], byName.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("displayName").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, wrongSort.StatusCode);
        Assert.NotEmpty(await wrongSort.ErrorsForAsync("sort"));
        Assert.NotEmpty(await otherOrder.ErrorsForAsync("cursor"));
        Assert.NotEmpty(await defaultOrder.ErrorsForAsync("cursor"));
        Assert.NotEmpty(await members.ErrorsForAsync("cursor"));
    }
}
