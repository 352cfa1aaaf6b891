using Orleans.TestingHost;

namespace Crm.Tests.Infrastructure;

/// <summary>One in-memory cluster shared by the grain tests of a collection; each test uses its own tenant.</summary>
public sealed class InMemoryClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync() => Cluster = await CrmTestCluster.StartInMemoryAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class InMemoryClusterCollection : ICollectionFixture<InMemoryClusterFixture>
{
    public const string Name = "In-memory cluster";
}
