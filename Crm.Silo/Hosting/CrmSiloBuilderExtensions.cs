using Crm.Customers;
using Crm.Silo.Database;
using Crm.Storage;
using Crm.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Polly;
using Polly.Retry;

namespace Crm.Silo.Hosting;

public static class CrmSiloBuilderExtensions
{
    private const string Npgsql = "Npgsql";

    /// <summary>
    /// Everything a Crm.Orleans silo needs: the co-hosted silo in Crm.Web, the Crm.Silo executable and the
    /// test clusters all come through here. Clustering configured in the standard "Orleans:Clustering" section
    /// (Orleans' test cluster, Kubernetes) is respected; otherwise PostgreSQL when a connection string is set,
    /// else a single localhost silo.
    /// </summary>
    public static ISiloBuilder AddCrm(this ISiloBuilder silo)
    {
        var configuration = silo.Configuration;
        var options = CrmHostingOptions.From(configuration);
        silo.Services.AddCrmStores(options);
        silo.Services.AddOptions<CustomerGrainOptions>().BindConfiguration(CustomerGrainOptions.Section);
        silo.Services.TryAddSingleton<CrmMetrics>();
        silo.Services.TryAddSingleton<Crm.Customers.CustomerChangeSignals>();
        silo.Services.TryAddSingleton<Crm.Segments.SegmentRulesCache>();
        silo.Services.TryAddSingleton<Crm.Analytics.ValueSegmentModelsCache>();
        silo.AddActivityPropagation();
        silo.AddIncomingGrainCallFilter<TransientFailureFilter>();
        silo.Services.AddResiliencePipeline(TransientFailures.RetryPipeline, pipeline => pipeline.AddRetry(new RetryStrategyOptions
        {
            // What is no fault of the work is waited out for as long as it lasts: nothing is set aside for it.
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex && TransientFailures.Is(ex)),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(100),
            MaxDelay = TimeSpan.FromSeconds(10),
        }));
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, IngestProcessorsStarter>();

        silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (options.ClusterId, options.ServiceId));
        silo.Configure<GrainDirectoryOptions>(o => o.CacheSize = options.DirectoryCacheSize);
        if (!configuration.GetSection("Orleans:Clustering").Exists())
        {
            if (options.ConnectionString is { } clusteringConnection)
            {
                silo.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = (Npgsql, clusteringConnection));
            }
            else
            {
                silo.UseLocalhostClustering(
                    siloPort: configuration.GetValue("Orleans:Endpoints:SiloPort", EndpointOptions.DEFAULT_SILO_PORT),
                    gatewayPort: configuration.GetValue("Orleans:Endpoints:GatewayPort", EndpointOptions.DEFAULT_GATEWAY_PORT),
                    serviceId: options.ServiceId,
                    clusterId: options.ClusterId);
            }
        }

        if (options.ConnectionString is { } connectionString)
        {
            silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SchemaMigrationOnSiloStart>();
            silo.Services.TryAddSingleton<CustomerBackfill>();
            silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, CustomerBackfillOnSiloStart>();
            // Orleans' table and rows, written in groups: grains write their state thousands of times a second.
            silo.Services.AddGrainStorage(Constants.GrainStorage, (sp, name) => new PostgresGrainStorage(
                sp.GetRequiredService<NpgsqlDataSource>(),
                sp.GetRequiredKeyedService<IGrainStorageSerializer>(name),
                sp.GetRequiredService<IActivatorProvider>(),
                sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId));
            silo.AddAdoNetGrainStorage(Constants.PubSubStorage, o => (o.Invariant, o.ConnectionString) = (Npgsql, connectionString));
            silo.UseAdoNetReminderService(o => (o.Invariant, o.ConnectionString) = (Npgsql, connectionString));
        }
        else
        {
            silo.AddMemoryGrainStorage(Constants.GrainStorage);
            silo.AddMemoryGrainStorage(Constants.PubSubStorage);
            silo.UseInMemoryReminderService();
        }

        // Orleans' own serializer, not the default Newtonsoft JSON that writes .NET type and assembly names into
        // every row: state is read back through the [Alias]es and [Id]s of its contracts, so types may be renamed.
        foreach (var storage in new[] { Constants.GrainStorage, Constants.PubSubStorage })
        {
            silo.Services.AddKeyedSingleton<IGrainStorageSerializer>(storage, (sp, _) => new OrleansGrainStorageSerializer(sp.GetRequiredService<Serializer>()));
        }

        // Streams carry live signals; what must not be lost is in the tables, and watchers catch up from there.
        silo.AddMemoryStreams(Constants.StreamProvider, streams =>
            streams.ConfigurePullingAgent(agent => agent.Configure(o => o.GetQueueMsgsTimerPeriod = options.StreamPollInterval)));
        return silo;
    }
}
