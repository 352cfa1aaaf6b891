using Crm.Customers;
using Crm.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Crm.Tests.Storage;

/// <summary>
/// The group-committed grain storage keeps Orleans' rows: what Orleans' own ADO.NET provider wrote it reads, and the
/// reverse (the silo still has Orleans' provider for the stream subscriptions, on the same table); a write that
/// conflicts, or that the database refuses, fails alone among those committed with it.
/// </summary>
public sealed class PostgresGrainStorageTests(PostgresGrainStorageTests.Silo silo) : IClassFixture<PostgresGrainStorageTests.Silo>
{
    private IGrainStorage Ours => silo.Storage(Constants.GrainStorage);

    private IGrainStorage Orleans => silo.Storage(Constants.PubSubStorage);

    private TestPostgres Database => silo.Database;

    public static TheoryData<string> GrainIds() => new()
    {
        "customer/tenant-a/c-1",
        "partition/" + GrainIdKeyExtensions.CreateIntegerKey(42).ToString(),
        "partition/" + GrainIdKeyExtensions.CreateIntegerKey(-7, "with-extension").ToString(),
        "job/" + GrainIdKeyExtensions.CreateGuidKey(Guid.Parse("6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f")).ToString(),
        "job/" + GrainIdKeyExtensions.CreateGuidKey(Guid.Parse("0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"), "ext").ToString(),
    };

    [Theory]
    [MemberData(nameof(GrainIds))]
    public async Task Reads_what_Orleans_provider_wrote_and_writes_what_it_reads(string grainIdText)
    {
        var grainId = GrainId.Parse(grainIdText);
        var stateName = "compatible-" + (uint)grainIdText.GetHashCode();

        var created = State("written by ours");
        await Ours.WriteStateAsync(stateName, grainId, created);
        var readByOrleans = await ReadAsync(Orleans, grainId, stateName);
        Assert.Equal(("written by ours", "1", true), (readByOrleans.State!.DisplayName, readByOrleans.ETag, readByOrleans.RecordExists));

        readByOrleans.State = new CustomerProfile { DisplayName = "written by Orleans" };
        await Orleans.WriteStateAsync(stateName, grainId, readByOrleans);
        var readByOurs = await ReadAsync(Ours, grainId, stateName);
        Assert.Equal(("written by Orleans", "2", true), (readByOurs.State!.DisplayName, readByOurs.ETag, readByOurs.RecordExists));

        await Ours.WriteStateAsync(stateName, grainId, readByOurs);
        Assert.Equal("3", (await ReadAsync(Orleans, grainId, stateName)).ETag);
        Assert.Equal(1, await Database.ScalarAsync<long>(
            "SELECT count(*) FROM orleansstorage WHERE graintypestring = $1 AND version = 3 AND modifiedon > now() at time zone 'utc' - interval '1 minute'", stateName));
    }

    [Fact]
    public async Task A_state_never_written_reads_as_new_with_no_version()
    {
        var read = await ReadAsync(Ours, GrainId.Create("customer", "never/written"));

        Assert.Equal((null, false, ""), (read.ETag, read.RecordExists, read.State!.DisplayName));
    }

    [Fact]
    public async Task A_stale_write_fails_alone_among_those_committed_with_it()
    {
        var grains = Enumerable.Range(0, 40).Select(i => GrainId.Create("customer", $"stale/c{i}")).ToList();
        await Task.WhenAll(grains.Select(g => Ours.WriteStateAsync("customer", g, State("v1"))));
        var states = await Task.WhenAll(grains.Select(g => ReadAsync(Ours, g)));
        states[13].ETag = "7";

        var writes = grains.Select((g, i) => Ours.WriteStateAsync("customer", g, states[i])).ToList();
        await Task.WhenAll(writes.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));

        Assert.IsType<InconsistentStateException>(writes[13].Exception?.InnerException);
        Assert.All(states.Where((_, i) => i != 13), s => Assert.Equal("2", s.ETag));
        Assert.Equal("1", (await ReadAsync(Ours, grains[13])).ETag);
    }

    [Fact]
    public async Task Of_two_writes_at_once_from_one_version_the_second_conflicts_as_it_would_one_after_the_other()
    {
        var grainId = GrainId.Create("customer", "twice/c1");
        await Ours.WriteStateAsync("customer", grainId, State("v1"));
        var first = await ReadAsync(Ours, grainId);
        var second = await ReadAsync(Ours, grainId);
        first.State = new CustomerProfile { DisplayName = "first" };
        second.State = new CustomerProfile { DisplayName = "second" };

        var writes = new[] { Ours.WriteStateAsync("customer", grainId, first), Ours.WriteStateAsync("customer", grainId, second) };
        await Task.WhenAll(writes.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));

        Assert.Equal(1, writes.Count(w => w.IsCompletedSuccessfully));
        Assert.Equal(1, writes.Count(w => w.Exception?.InnerException is InconsistentStateException));
        var stored = await ReadAsync(Ours, grainId);
        Assert.Equal("2", stored.ETag);
        Assert.Equal(writes[0].IsCompletedSuccessfully ? "first" : "second", stored.State!.DisplayName);
    }

    [Fact]
    public async Task A_second_first_write_of_one_grain_conflicts_instead_of_adding_a_row()
    {
        var grainId = GrainId.Create("customer", "born-twice/c1");
        await Ours.WriteStateAsync("customer", grainId, State("first"));

        await Assert.ThrowsAsync<InconsistentStateException>(() => Ours.WriteStateAsync("customer", grainId, State("second")));

        Assert.Equal(1, await Database.ScalarAsync<long>("SELECT count(*) FROM orleansstorage WHERE grainidextensionstring = 'born-twice/c1'"));
    }

    [Fact]
    public async Task A_write_whose_key_the_table_cannot_hold_fails_alone()
    {
        // The key column holds 512 characters: a longer key would be cut short or refused.
        var grains = Enumerable.Range(0, 40).Select(i => GrainId.Create("customer", i == 21 ? new string('k', 600) : $"refused/c{i}")).ToList();

        var writes = grains.Select(g => Ours.WriteStateAsync("customer", g, State("v1"))).ToList();
        await Task.WhenAll(writes.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));

        Assert.False(writes[21].IsCompletedSuccessfully);
        Assert.All(writes.Where((_, i) => i != 21), w => Assert.True(w.IsCompletedSuccessfully));
        Assert.Equal(39, await Database.ScalarAsync<long>("SELECT count(*) FROM orleansstorage WHERE grainidextensionstring LIKE 'refused/%'"));
    }

    [Fact]
    public async Task Clearing_empties_the_row_and_moves_its_version_on()
    {
        var grainId = GrainId.Create("customer", "cleared/c1");
        var state = State("to clear");
        await Ours.WriteStateAsync("customer", grainId, state);

        await Ours.ClearStateAsync("customer", grainId, state);

        var read = await ReadAsync(Orleans, grainId);
        Assert.Equal(("2", false, false, ""), (state.ETag, state.RecordExists, read.RecordExists, read.State!.DisplayName));
        Assert.Equal("2", read.ETag);
    }

    private static GrainState<CustomerProfile> State(string name) => new(new CustomerProfile { DisplayName = name });

    private static async Task<GrainState<CustomerProfile>> ReadAsync(IGrainStorage storage, GrainId grainId, string stateName = "customer")
    {
        var state = new GrainState<CustomerProfile>();
        await storage.ReadStateAsync(stateName, grainId, state);
        return state;
    }

    /// <summary>One silo on a database of its own for the class: each test writes grains of its own.</summary>
    public sealed class Silo : IAsyncLifetime
    {
        private TestCluster _cluster = null!;

        public TestPostgres Database { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Database = await TestPostgres.CreateAsync();
            _cluster = await CrmTestCluster.StartOnPostgresAsync(Database.ConnectionString, "crm-" + Database.Name);
        }

        public async Task DisposeAsync()
        {
            await _cluster.DisposeAsync();
            await Database.DisposeAsync();
        }

        public IGrainStorage Storage(string name) =>
            ((InProcessSiloHandle)_cluster.Silos[0]).SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(name);
    }
}
