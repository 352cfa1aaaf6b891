using Crm.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace Crm.Tests.Infrastructure;

/// <summary>
/// Orleans test clusters configured exactly as production silos are, through <see cref="CrmSiloBuilderExtensions.AddCrm"/>:
/// in memory with the test cluster's membership, or on PostgreSQL with the ADO.NET providers.
/// </summary>
public static class CrmTestCluster
{
    /// <param name="settings">Configuration the silo gets.</param>
    public static async Task<TestCluster> StartInMemoryAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = new TestClusterBuilder(1);
        builder.ConfigureHostConfiguration(c => c.AddInMemoryCollection(settings ?? new Dictionary<string, string?>()));
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <param name="serviceId">Grain state is keyed by service id: a cluster that should see another's state uses the same one.</param>
    /// <param name="settings">Configuration the silos get on top of the connection string.</param>
    public static async Task<TestCluster> StartOnPostgresAsync(
        string connectionString, string serviceId, short silos = 1, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ServiceId = serviceId;
        builder.Options.ClusterId = serviceId;
        builder.ConfigureHostConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{CrmHostingOptions.ConnectionStringName}"] = connectionString,
        }.Concat(settings ?? new Dictionary<string, string?>())));
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddCrm();
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
        {
            clientBuilder.AddMemoryStreams(Constants.StreamProvider);
            if (CrmHostingOptions.From(configuration).ConnectionString is { } connectionString)
            {
                clientBuilder.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", connectionString));
            }
        }
    }
}
