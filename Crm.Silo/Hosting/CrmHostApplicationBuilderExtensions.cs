using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace Crm.Silo.Hosting;

public static class CrmHostApplicationBuilderExtensions
{
    /// <summary>Hosts a Crm.Orleans silo in this process.</summary>
    public static IHostApplicationBuilder AddCrmSilo(this IHostApplicationBuilder builder)
    {
        builder.UseOrleans(silo => silo.AddCrm());
        return builder;
    }

    /// <summary>Joins a Crm.Orleans cluster on PostgreSQL as a client: this process holds no grains.</summary>
    public static IHostApplicationBuilder AddCrmClient(this IHostApplicationBuilder builder)
    {
        var options = CrmHostingOptions.From(builder.Configuration);
        var connectionString = options.ConnectionString
            ?? throw new InvalidOperationException($"Cluster mode needs PostgreSQL: set ConnectionStrings__{CrmHostingOptions.ConnectionStringName}.");

        builder.Services.AddCrmStores(options);
        // Before the Orleans client's own hosted service, so that the tables exist when it looks for gateways.
        builder.Services.AddHostedService<SchemaMigrationOnClientStart>();
        builder.UseOrleansClient(client => client
            .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (options.ClusterId, options.ServiceId))
            .UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", connectionString))
            .AddMemoryStreams(Constants.StreamProvider)
            .AddActivityPropagation());
        return builder;
    }
}
