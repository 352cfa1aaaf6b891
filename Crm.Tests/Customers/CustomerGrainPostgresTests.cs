using System.Text;
using Crm.Customers;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Crm.Timeline;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Crm.Tests.Customers;

/// <summary>The customer grain on PostgreSQL through the ADO.NET providers and the project's own tables, across restarts.</summary>
public sealed class CustomerGrainPostgresTests : IAsyncLifetime
{
    private static readonly Actor Agent = new("u-1", "Alex Agent");
    private TestPostgres _database = null!;
    private string _serviceId = null!;

    public async Task InitializeAsync()
    {
        _database = await TestPostgres.CreateAsync();
        _serviceId = "crm-" + _database.Name;
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Profile_counters_and_timeline_survive_a_full_cluster_restart()
    {
        var key = NewKey();
        await using (var cluster = await CrmTestCluster.StartOnPostgresAsync(_database.ConnectionString, _serviceId, silos: 2))
        {
            var grain = cluster.Client.GetGrain<ICustomerGrain>(key.ToString());
            await grain.CreateAsync(new CustomerProfile { DisplayName = "Ada Lovelace", Tags = ["vip"] }, Agent);
            await grain.AddInteractionAsync(Call("first"));
            await grain.AddInteractionAsync(Call("second"));
            await grain.UpdateProfileAsync(new CustomerProfile { DisplayName = "Ada King", Tags = ["vip"] }, 1, Agent);
            await cluster.StopAllSilosAsync();
        }

        await using (var restarted = await CrmTestCluster.StartOnPostgresAsync(_database.ConnectionString, _serviceId))
        {
            var grain = restarted.Client.GetGrain<ICustomerGrain>(key.ToString());
            var customer = await grain.GetAsync();
            var timeline = await grain.GetTimelineAsync(new TimelineQuery());
            var third = await grain.AddInteractionAsync(Call("third"));

            Assert.Equal("Ada King", customer!.Profile.DisplayName);
            Assert.Equal((2, 4), (customer.Version, customer.Sequence));
            Assert.Equal(2, customer.Activity.TotalInteractions);
            Assert.Equal(["second", "first"], timeline.Items.Select(i => i.Subject));
            Assert.Equal(5, third.Interaction.Sequence);
        }
    }

    [Fact]
    public async Task Rebuilds_its_counters_from_the_timeline_when_a_state_write_was_lost()
    {
        var key = NewKey();
        await using (var cluster = await CrmTestCluster.StartOnPostgresAsync(_database.ConnectionString, _serviceId))
        {
            await cluster.Client.GetGrain<ICustomerGrain>(key.ToString()).CreateAsync(new CustomerProfile { DisplayName = "Ada" }, Agent);
            await cluster.StopAllSilosAsync();
        }

        // What a crash between the timeline insert and the state write leaves behind: rows the state does not know,
        // one logged by a person and one recorded from an integration's page view.
        await using (var dataSource = _database.CreateDataSource())
        await using (var store = new PostgresTimelineStore(dataSource))
        {
            await store.AppendAsync(key, Stored(key, 2, InteractionChannel.Email) with { Subject = "stored before the crash" });
            await store.AppendAsync(key, Stored(key, 3, InteractionChannel.Web) with { Subject = "Viewed Pricing", EventType = "page" });
        }

        await using (var restarted = await CrmTestCluster.StartOnPostgresAsync(_database.ConnectionString, _serviceId))
        {
            var grain = restarted.Client.GetGrain<ICustomerGrain>(key.ToString());
            var customer = await grain.GetAsync();
            var next = await grain.AddInteractionAsync(Call("after the crash"));

            Assert.Equal(1, customer!.Activity.InteractionsByChannel[InteractionChannel.Email]);
            Assert.Equal(1, customer.Engagement.EventsByType["page"]);
            Assert.Equal(3, customer.Sequence);
            Assert.Equal(4, next.Interaction.Sequence);
        }
    }

    private static Interaction Stored(CustomerKey key, long sequence, InteractionChannel channel) => new()
    {
        Id = Guid.CreateVersion7(),
        CustomerId = key.CustomerId,
        Sequence = sequence,
        Channel = channel,
        OccurredAt = DateTimeOffset.UtcNow,
        RecordedAt = DateTimeOffset.UtcNow,
    };

    [Fact]
    public async Task Restores_its_directory_row_on_activation()
    {
        var key = NewKey();
        await using var cluster = await CrmTestCluster.StartOnPostgresAsync(_database.ConnectionString, _serviceId);
        await cluster.Client.GetGrain<ICustomerGrain>(key.ToString()).CreateAsync(new CustomerProfile { DisplayName = "Listed" }, Agent);
        await _database.ScalarAsync<int>("WITH d AS (DELETE FROM crm_customers WHERE tenant_id = $1 RETURNING 1) SELECT count(*)::int FROM d", key.TenantId);
        await cluster.RestartSiloAsync(cluster.Silos[0]);

        await cluster.Client.GetGrain<ICustomerGrain>(key.ToString()).GetAsync();

        Assert.Equal("Listed", await _database.ScalarAsync<string>("SELECT display_name FROM crm_customers WHERE tenant_id = $1", key.TenantId));
    }

    [Fact]
    public async Task Writes_counters_behind_the_timeline_without_waiting_for_deactivation()
    {
        var key = NewKey();
        await using var cluster = await StartWithOneSecondWriteBehindAsync();
        var grain = cluster.Client.GetGrain<ICustomerGrain>(key.ToString());
        await grain.CreateAsync(new CustomerProfile { DisplayName = "Ada" }, Agent);

        await grain.AddInteractionAsync(Call("written behind"));

        Assert.Equal(1, (await StoredStateAfterWriteBehindAsync(cluster, key)).Activity.TotalInteractions);
    }

    [Fact]
    public async Task Stores_counters_but_not_recent_interactions_which_are_read_back_from_the_timeline()
    {
        var key = NewKey();
        await using var cluster = await StartWithOneSecondWriteBehindAsync();
        var grain = cluster.Client.GetGrain<ICustomerGrain>(key.ToString());
        await grain.CreateAsync(new CustomerProfile { DisplayName = "Ada" }, Agent);
        var first = await grain.AddInteractionAsync(Call("first call"));
        var second = await grain.AddInteractionAsync(Call("second call"));

        var stored = await StoredStateAfterWriteBehindAsync(cluster, key);
        Assert.Equal(2, stored.Activity.TotalInteractions);
        Assert.Empty(stored.Recent);
        Assert.DoesNotContain("first call", Encoding.UTF8.GetString(await StoredStateAsync(key)));

        await cluster.RestartSiloAsync(cluster.Silos[0]);
        await _database.ScalarAsync<int>(
            "WITH u AS (UPDATE crm_timeline SET subject = 'changed in the table' WHERE tenant_id = $1 AND sequence = $2 RETURNING 1) SELECT count(*)::int FROM u",
            key.TenantId,
            second.Interaction.Sequence);
        var changes = await grain.GetChangesSinceAsync(first.Interaction.Sequence - 1, limit: 10);

        // Read back from the table after the restart: what the state once held plays no part.
        Assert.Equal(["first call", "changed in the table"], changes.Events.OfType<InteractionAdded>().Select(e => e.Interaction.Subject));
        Assert.Equal("first call", (await grain.GetInteractionAsync(first.Interaction.Id))?.Subject);
    }

    [Fact]
    public async Task Stores_grain_state_without_dotnet_type_or_assembly_names()
    {
        var key = NewKey();
        await using var cluster = await CrmTestCluster.StartOnPostgresAsync(_database.ConnectionString, _serviceId);
        await cluster.Client.GetGrain<ICustomerGrain>(key.ToString()).CreateAsync(new CustomerProfile { DisplayName = "Ada" }, Agent);

        var text = Encoding.UTF8.GetString(await StoredStateAsync(key));

        Assert.Contains("Ada", text);
        Assert.DoesNotContain("Crm.Grains", text);
        Assert.DoesNotContain("Version=", text);
        Assert.DoesNotContain("$type", text);
    }

    private Task<TestCluster> StartWithOneSecondWriteBehindAsync() => CrmTestCluster.StartOnPostgresAsync(
        _database.ConnectionString, _serviceId, settings: new Dictionary<string, string?> { ["Crm:Customers:StateWriteBehind"] = "00:00:01" });

    /// <summary>The customer's stored state once a write-behind has written it (its version past the one creation wrote).</summary>
    private async Task<CustomerState> StoredStateAfterWriteBehindAsync(TestCluster cluster, CustomerKey key)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await _database.ScalarAsync<int?>("SELECT version FROM orleansstorage WHERE grainidextensionstring = $1", key.ToString()) is not > 1)
        {
            await Task.Delay(100, timeout.Token);
        }

        var serializer = ((InProcessSiloHandle)cluster.Silos[0]).SiloHost.Services.GetRequiredKeyedService<IGrainStorageSerializer>(Constants.GrainStorage);
        return serializer.Deserialize<CustomerState>(BinaryData.FromBytes(await StoredStateAsync(key))) ?? throw new InvalidOperationException("No stored state.");
    }

    private Task<byte[]> StoredStateAsync(CustomerKey key) =>
        _database.ScalarAsync<byte[]>("SELECT payloadbinary FROM orleansstorage WHERE grainidextensionstring = $1", key.ToString());

    private static CustomerKey NewKey() => new(TestTenants.New(), "c" + Guid.NewGuid().ToString("N")[..12]);

    private static NewInteraction Call(string subject) => new()
    {
        Channel = InteractionChannel.Call,
        OccurredAt = DateTimeOffset.UtcNow,
        Agent = Agent,
        Subject = subject,
    };
}
