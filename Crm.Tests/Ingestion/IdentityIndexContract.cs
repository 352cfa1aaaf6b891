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
    public async Task Claims_of_one_customer_id_in_two_tenants_at_once_answer_each_for_its_own_tenant()
    {
        var (tenant, other) = (TestTenants.New(), TestTenants.New());
        await Index.ClaimAsync(new CustomerKey(other, "c2"), [Email]);

        var claims = await Task.WhenAll(Index.ClaimAsync(new CustomerKey(tenant, "c1"), [Email]), Index.ClaimAsync(new CustomerKey(other, "c1"), [Email]));

        Assert.Equal([Email], claims[0]);
        Assert.Empty(claims[1]);
        var owners = await Index.FindAsync([new(tenant, Email), new(other, Email)]);
        Assert.Equal("c1", owners[new(tenant, Email)].CustomerId);
        Assert.Equal("c2", owners[new(other, Email)].CustomerId);
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
    public async Task Of_many_customers_claiming_the_same_identities_at_once_each_identity_has_one_owner()
    {
        var tenant = TestTenants.New();
        Identity[] shared = [Email, new(IdentityKind.Phone, "+442079460000"), new(IdentityKind.User, "crm-1")];

        var claims = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            Index.ClaimAsync(new CustomerKey(tenant, $"c{i}"), i % 2 == 0 ? shared : [.. shared.Reverse(), new Identity(IdentityKind.User, $"u-{i}")])));

        foreach (var identity in shared)
        {
            var owner = Assert.Single(claims.Select((owned, i) => (owned, i)), c => c.owned.Contains(identity)).i;
            Assert.Equal($"c{owner}", (await Index.FindAsync([new(tenant, identity)]))[new(tenant, identity)].CustomerId);
        }

        Assert.All(Enumerable.Range(0, 40).Where(i => i % 2 == 1), i => Assert.Contains(new Identity(IdentityKind.User, $"u-{i}"), claims[i]));
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

    [Fact]
    public async Task An_undone_merge_hands_back_only_the_listed_identities_and_keeps_the_rest()
    {
        var tenant = TestTenants.New();
        var phone = new Identity(IdentityKind.Phone, "+442079460000");
        await Index.ClaimAsync(new CustomerKey(tenant, "survivor"), [Email, User, phone]);

        await Index.HandOverAsync(new CustomerKey(tenant, "survivor"), new CustomerKey(tenant, "restored"), [Email, phone, Anonymous]);

        var owners = await Index.FindAsync([new(tenant, Email), new(tenant, User), new(tenant, phone), new(tenant, Anonymous)]);
        Assert.Equal("restored", owners[new(tenant, Email)].CustomerId);
        Assert.Equal("restored", owners[new(tenant, phone)].CustomerId);
        Assert.Equal("survivor", owners[new(tenant, User)].CustomerId);
        Assert.False(owners.ContainsKey(new(tenant, Anonymous)));
    }
}

public sealed class InMemoryIdentityIndexTests : IdentityIndexContract
{
    protected override IIdentityIndex Index { get; } = new InMemoryIdentityIndex();
}

public sealed class PostgresIdentityIndexTests(MigratedDatabaseFixture database) : IdentityIndexContract, IClassFixture<MigratedDatabaseFixture>, IAsyncDisposable
{
    private readonly PostgresIdentityIndex _index = new(database.DataSource);

    protected override IIdentityIndex Index => _index;

    [Fact]
    public async Task A_claim_the_database_cannot_store_fails_alone()
    {
        var tenant = TestTenants.New();
        var unstorable = new Dictionary<int, string> { [3] = "bad\0id", [7] = "bad" + '\uD800' + "id" };

        var claims = Enumerable.Range(0, 20).Select(i => _index.ClaimAsync(new CustomerKey(tenant, $"c{i}"),
            [new Identity(IdentityKind.User, unstorable.GetValueOrDefault(i, $"u-{i}"))])).ToList();

        foreach (var i in unstorable.Keys)
        {
            await Assert.ThrowsAsync<ArgumentException>(() => claims[i]);
        }

        foreach (var i in Enumerable.Range(0, 20).Where(i => !unstorable.ContainsKey(i)))
        {
            Assert.Equal([new Identity(IdentityKind.User, $"u-{i}")], await claims[i]);
        }
    }

    public ValueTask DisposeAsync() => _index.DisposeAsync();
}
