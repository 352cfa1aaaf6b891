using Crm.Security;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Security;

/// <summary>What every <see cref="IAccountStore"/> and <see cref="ISecretStore"/> does; run against each implementation.</summary>
public abstract class AccountStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    protected abstract IAccountStore Accounts { get; }

    protected abstract ISecretStore Secrets { get; }

    [Fact]
    public async Task Creates_a_tenant_once()
    {
        var id = TestTenants.New();

        Assert.True(await Accounts.TryCreateTenantAsync(new Tenant(id, "Acme", T0)));
        Assert.False(await Accounts.TryCreateTenantAsync(new Tenant(id, "Impostor", T0)));
        Assert.Equal("Acme", (await Accounts.FindTenantAsync(id))!.Name);
        Assert.True(await Accounts.AnyTenantAsync());
        Assert.Null(await Accounts.FindTenantAsync(TestTenants.New()));
    }

    [Fact]
    public async Task Keeps_emails_unique_across_tenants()
    {
        var (tenant, other) = (await NewTenantAsync(), await NewTenantAsync());
        var email = $"{Guid.NewGuid():N}@example.com";

        Assert.True(await Accounts.TryCreateUserAsync(User(tenant, email)));
        Assert.False(await Accounts.TryCreateUserAsync(User(other, email)));
        Assert.Equal(tenant, (await Accounts.FindUserByEmailAsync(email))!.TenantId);
    }

    [Fact]
    public async Task Finds_and_lists_users_only_within_their_tenant()
    {
        var (tenant, other) = (await NewTenantAsync(), await NewTenantAsync());
        var b = User(tenant, $"b{Guid.NewGuid():N}@example.com");
        var a = User(tenant, $"a{Guid.NewGuid():N}@example.com");
        var stranger = User(other, $"c{Guid.NewGuid():N}@example.com");
        foreach (var user in new[] { b, a, stranger })
        {
            await Accounts.TryCreateUserAsync(user);
        }

        Assert.Equal([a.Id, b.Id], (await Accounts.ListUsersAsync(tenant)).Select(u => u.Id));
        Assert.Equal(a.Email, (await Accounts.FindUserAsync(tenant, a.Id))!.Email);
        Assert.Null(await Accounts.FindUserAsync(tenant, stranger.Id));
        var read = (await Accounts.FindUserByEmailAsync(a.Email))!;
        Assert.Equal((a.DisplayName, a.PasswordHash, a.CreatedAt), (read.DisplayName, read.PasswordHash, read.CreatedAt));
        Assert.Equal<string>(a.Roles, read.Roles);
    }

    [Fact]
    public async Task Disables_a_user_of_the_tenant_only()
    {
        var (tenant, other) = (await NewTenantAsync(), await NewTenantAsync());
        var user = User(tenant, $"{Guid.NewGuid():N}@example.com");
        await Accounts.TryCreateUserAsync(user);

        Assert.False(await Accounts.DisableUserAsync(other, user.Id, T0));
        Assert.False((await Accounts.FindUserAsync(tenant, user.Id))!.IsDisabled);
        Assert.True(await Accounts.DisableUserAsync(tenant, user.Id, T0));
        Assert.True((await Accounts.FindUserAsync(tenant, user.Id))!.IsDisabled);
        Assert.False(await Accounts.DisableUserAsync(tenant, Guid.NewGuid(), T0));
    }

    [Fact]
    public async Task Hands_every_caller_the_same_secret()
    {
        var name = $"secret-{Guid.NewGuid():N}";
        var secrets = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Secrets.GetOrCreateAsync(name, () => Guid.NewGuid().ToByteArray())));

        Assert.Single(secrets.Select(Convert.ToBase64String).Distinct());
        Assert.Equal(secrets[0], await Secrets.GetOrCreateAsync(name, () => [1, 2, 3]));
    }

    private async Task<string> NewTenantAsync()
    {
        var id = TestTenants.New();
        await Accounts.TryCreateTenantAsync(new Tenant(id, id, T0));
        return id;
    }

    private static UserAccount User(string tenant, string email) => new()
    {
        Id = Guid.CreateVersion7(),
        TenantId = tenant,
        Email = email,
        DisplayName = "Test User",
        Roles = [Roles.Agent, Roles.Supervisor],
        PasswordHash = "hash-" + Guid.NewGuid(),
        CreatedAt = T0,
    };
}

public sealed class InMemoryAccountStoreTests : AccountStoreContract
{
    protected override IAccountStore Accounts { get; } = new InMemoryAccountStore();

    protected override ISecretStore Secrets { get; } = new InMemorySecretStore();
}

public sealed class PostgresAccountStoreTests(MigratedDatabaseFixture database) : AccountStoreContract, IClassFixture<MigratedDatabaseFixture>
{
    protected override IAccountStore Accounts { get; } = new PostgresAccountStore(database.DataSource);

    protected override ISecretStore Secrets { get; } = new PostgresSecretStore(database.DataSource);
}
