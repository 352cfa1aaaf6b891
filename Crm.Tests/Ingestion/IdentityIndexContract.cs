using Crm.Customers;
using Crm.Ingestion;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Ingestion;

/// <summary>What every <see cref="IIdentityIndex"/> does; run against each implementation.</summary>
public abstract class IdentityIndexContract
{
    private static readonly Identity Email = new(IdentityKind.Email, "ada@example.com");
    private static readonly Identity User = new(IdentityKind.User, "u-1");
    private static readonly Identity Anonymous = new(IdentityKind.Anonymous, "a-1");

    protected abstract IIdentityIndex Index { get; }

    [Fact]
    public async Task The_first_claim_wins_and_each_tenant_has_its_own()
    {
        var (tenant, other) = (TestTenants.New(), TestTenants.New());

        var first = await Index.ClaimAsync(new CustomerKey(tenant, "c1"), [Email, User]);
        var second = await Index.ClaimAsync(new CustomerKey(tenant, "c2"), [Email, Anonymous]);
        var elsewhere = await Index.ClaimAsync(new CustomerKey(other, "c9"), [Email]);

        Assert.Equal([User, Email], first.OrderBy(i => i.Kind));
        Assert.Equal([Anonymous], second);
        Assert.Equal([Email], elsewhere);
        var owners = await Index.FindAsync([new(tenant, Email), new(tenant, Anonymous), new(tenant, new Identity(IdentityKind.Phone, "+442079460000")), new(other, Email)]);
        Assert.Equal(new IdentityOwner("c1", Identified: true, UserIds: 1), owners[new(tenant, Email)]);
        Assert.Equal(new IdentityOwner("c2", Identified: false, UserIds: 0), owners[new(tenant, Anonymous)]);
        Assert.Equal("c9", owners[new(other, Email)].CustomerId);
        Assert.Equal(3, owners.Count);
    }

    [Fact]
    public async Task A_customer_releases_only_what_it_owns()
    {
        var tenant = TestTenants.New();
        await Index.ClaimAsync(new CustomerKey(tenant, "c1"), [Email]);

        await Index.ReleaseAsync(new CustomerKey(tenant, "c2"), [Email]);
        Assert.Equal("c1", (await Index.FindAsync([new(tenant, Email)]))[new(tenant, Email)].CustomerId);

        await Index.ReleaseAsync(new CustomerKey(tenant, "c1"), [Email]);
        Assert.Empty(await Index.FindAsync([new(tenant, Email)]));
        Assert.Equal([Email], await Index.ClaimAsync(new CustomerKey(tenant, "c2"), [Email]));
    }

    [Fact]
    public async Task A_merge_moves_what_the_survivor_takes_and_releases_the_rest()
    {
        var tenant = TestTenants.New();
        await Index.ClaimAsync(new CustomerKey(tenant, "visitor"), [Anonymous, new Identity(IdentityKind.Anonymous, "a-2")]);

        await Index.MoveAsync(new CustomerKey(tenant, "visitor"), new CustomerKey(tenant, "known"), [Anonymous]);

        var owners = await Index.FindAsync([new(tenant, Anonymous), new(tenant, new Identity(IdentityKind.Anonymous, "a-2"))]);
        Assert.Equal("known", Assert.Single(owners).Value.CustomerId);
    }
}

public sealed class InMemoryIdentityIndexTests : IdentityIndexContract
{
    protected override IIdentityIndex Index { get; } = new InMemoryIdentityIndex();
}

public sealed class PostgresIdentityIndexTests(MigratedDatabaseFixture database) : IdentityIndexContract, IClassFixture<MigratedDatabaseFixture>
{
    protected override IIdentityIndex Index { get; } = new PostgresIdentityIndex(database.DataSource);
}
