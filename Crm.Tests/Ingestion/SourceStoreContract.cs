using Crm.Ingestion;
using Crm.Security;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Ingestion;

/// <summary>What every <see cref="ISourceStore"/> does; run against each implementation.</summary>
public abstract class SourceStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    protected abstract ISourceStore Sources { get; }

    protected abstract IAccountStore Accounts { get; }

    [Fact]
    public async Task Finds_a_source_by_write_key_hash_and_within_its_tenant_only()
    {
        var (tenant, other) = (await TenantAsync(), await TenantAsync());
        var source = Source(tenant);
        await Sources.CreateAsync(source);

        var byKey = await Sources.FindByWriteKeyHashAsync([.. source.WriteKeyHash]);

        Assert.Equal(source.Id, byKey!.Id);
        Assert.Equal(source.SigningSecret, byKey.SigningSecret);
        Assert.NotNull(await Sources.FindAsync(tenant, source.Id));
        Assert.NotNull(await Sources.FindAsync(source.Id));
        Assert.Null(await Sources.FindAsync(other, source.Id));
        Assert.Null(await Sources.FindByWriteKeyHashAsync(Guid.NewGuid().ToByteArray()));
        Assert.Equal([source.Id], (await Sources.ListAsync(tenant)).Select(s => s.Id));
        Assert.Empty(await Sources.ListAsync(other));
    }

    [Fact]
    public async Task Revokes_a_source_of_the_tenant_only()
    {
        var (tenant, other) = (await TenantAsync(), await TenantAsync());
        var source = Source(tenant);
        await Sources.CreateAsync(source);

        Assert.False(await Sources.RevokeAsync(other, source.Id, T0));
        Assert.False((await Sources.FindAsync(source.Id))!.IsRevoked);
        Assert.True(await Sources.RevokeAsync(tenant, source.Id, T0));
        Assert.True((await Sources.FindByWriteKeyHashAsync(source.WriteKeyHash))!.IsRevoked);
    }

    private async Task<string> TenantAsync()
    {
        var id = TestTenants.New();
        await Accounts.TryCreateTenantAsync(new Tenant(id, id, T0));
        return id;
    }

    private static Source Source(string tenant) => new()
    {
        Id = Guid.CreateVersion7(),
        TenantId = tenant,
        Name = "Web site",
        WriteKeyHash = Guid.NewGuid().ToByteArray(),
        SigningSecret = Guid.NewGuid().ToByteArray(),
        CreatedAt = T0,
    };
}

public sealed class InMemorySourceStoreTests : SourceStoreContract
{
    protected override ISourceStore Sources { get; } = new InMemorySourceStore();

    protected override IAccountStore Accounts { get; } = new InMemoryAccountStore();
}

public sealed class PostgresSourceStoreTests(MigratedDatabaseFixture database) : SourceStoreContract, IClassFixture<MigratedDatabaseFixture>
{
    protected override ISourceStore Sources { get; } = new PostgresSourceStore(database.DataSource);

    protected override IAccountStore Accounts { get; } = new PostgresAccountStore(database.DataSource);
}
