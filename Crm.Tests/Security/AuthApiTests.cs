using System.Net;
using System.Net.Http.Json;
using Crm.Security;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Security;

[Collection(EmbeddedWebCollection.Name)]
public sealed class AuthApiTests(EmbeddedWebFixture fixture)
{
    [Fact]
    public async Task Issues_a_token_that_carries_tenant_and_role()
    {
        var agent = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Supervisor);

        var token = await (await fixture.Web.CreateClient().PostAsJsonAsync("/api/auth/token", new { username = agent.Email.ToUpperInvariant(), password = agent.Password })).ReadJsonAsync();
        var me = await (await agent.Client.GetAsync("/api/auth/me")).ReadJsonAsync();

        Assert.True(token.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddHours(1));
        Assert.Equal(agent.Tenant, me.GetProperty("tenant").GetString());
        Assert.Equal(["supervisor"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    [Theory]
    [InlineData("wrong password")]
    [InlineData(null)]
    public async Task Refuses_a_wrong_password_or_an_unknown_user_alike(string? password)
    {
        var agent = await fixture.Web.SignInAsync(TestTenants.New());
        var username = password is null ? "nobody@example.com" : agent.Email;

        var response = await fixture.Web.CreateClient().PostAsJsonAsync("/api/auth/token", new { username, password = password ?? agent.Password });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Wrong user name or password.", (await response.ReadJsonAsync()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_disabled_user_cannot_sign_in()
    {
        var tenant = TestTenants.New();
        var admin = await fixture.Web.SignInAsync(tenant, Roles.Admin);
        var agent = await fixture.Web.SignInAsync(tenant);

        var disabled = await admin.Client.DeleteAsync($"/api/users/{agent.Id}");
        var signIn = await fixture.Web.CreateClient().PostAsJsonAsync("/api/auth/token", new { username = agent.Email, password = agent.Password });

        Assert.Equal(HttpStatusCode.NoContent, disabled.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, signIn.StatusCode);
    }

    [Fact]
    public async Task A_disabled_user_loses_access_with_the_token_they_hold()
    {
        var tenant = TestTenants.New();
        var admin = await fixture.Web.SignInAsync(tenant, Roles.Admin);
        var agent = await fixture.Web.SignInAsync(tenant);
        var before = await agent.Client.GetAsync("/api/customers");

        await admin.Client.DeleteAsync($"/api/users/{agent.Id}");
        var after = await agent.Client.GetAsync("/api/customers");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        await Assert.ThrowsAsync<HttpRequestException>(() => fixture.Web.ConnectHubAsync(agent.Token));
    }

    [Fact]
    public async Task Admins_manage_their_own_tenant_users_only()
    {
        var tenant = TestTenants.New();
        var admin = await fixture.Web.SignInAsync(tenant, Roles.Admin);
        var otherAdmin = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Admin);
        var email = $"new.{Guid.NewGuid():N}@example.com";

        var created = await admin.Client.PostAsJsonAsync("/api/users", new { email, displayName = "New Agent", password = "a long enough password", roles = new[] { "agent" } });
        var duplicate = await otherAdmin.Client.PostAsJsonAsync("/api/users", new { email, displayName = "Copy", password = "a long enough password", roles = new[] { "agent" } });
        var mine = await (await admin.Client.GetAsync("/api/users")).ReadJsonAsync();
        var theirs = await (await otherAdmin.Client.GetAsync("/api/users")).ReadJsonAsync();
        var signIn = await fixture.Web.CreateClient().PostAsJsonAsync("/api/auth/token", new { username = email, password = "a long enough password" });
        var crossTenant = await otherAdmin.Client.GetAsync(created.Headers.Location);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Contains(email, mine.GetProperty("items").EnumerateArray().Select(u => u.GetProperty("email").GetString()));
        Assert.DoesNotContain(email, theirs.GetProperty("items").EnumerateArray().Select(u => u.GetProperty("email").GetString()));
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, crossTenant.StatusCode);
    }

    [Theory]
    [InlineData(Roles.Agent)]
    [InlineData(Roles.Supervisor)]
    public async Task Only_admins_manage_users(string role)
    {
        var user = await fixture.Web.SignInAsync(TestTenants.New(), role);

        Assert.Equal(HttpStatusCode.Forbidden, (await user.Client.GetAsync("/api/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.Client.PostAsJsonAsync("/api/users", new { })).StatusCode);
    }

    [Fact]
    public async Task An_admin_cannot_lock_themselves_out()
    {
        var admin = await fixture.Web.SignInAsync(TestTenants.New(), Roles.Admin);

        Assert.Equal(HttpStatusCode.Conflict, (await admin.Client.DeleteAsync($"/api/users/{admin.Id}")).StatusCode);
    }
}
