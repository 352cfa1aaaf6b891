using Crm.Customers;
using Crm.Duplicates;
using Crm.Merges;
using Crm.Imports;
using Crm.Ingestion;
using Crm.Security;
using Crm.Silo.Database;
using Crm.Timeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Crm.Silo.Hosting;

public static class CrmStoreServiceCollectionExtensions
{
    /// <summary>The project's own stores: in memory, or on PostgreSQL when a connection string is set. Safe to call twice.</summary>
    public static IServiceCollection AddCrmStores(this IServiceCollection services, CrmHostingOptions options)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section);
        if (options.ConnectionString is not { } connectionString)
        {
            services.TryAddSingleton<ITimelineStore, InMemoryTimelineStore>();
            services.TryAddSingleton<InMemoryCustomerDirectory>();
            services.TryAddSingleton<ICustomerDirectory>(sp => sp.GetRequiredService<InMemoryCustomerDirectory>());
            services.TryAddSingleton<IDuplicateStore, InMemoryDuplicateStore>();
            services.TryAddSingleton<IMergeLog, InMemoryMergeLog>();
            services.TryAddSingleton<IAccountStore, InMemoryAccountStore>();
            services.TryAddSingleton<ISecretStore, InMemorySecretStore>();
            services.TryAddSingleton<ISourceStore, InMemorySourceStore>();
            services.TryAddSingleton<IIngestLog>(_ => new InMemoryIngestLog());
            services.TryAddSingleton<IIdentityIndex, InMemoryIdentityIndex>();
            services.TryAddSingleton<IImportFileStore, FileSystemImportFileStore>();
            return services;
        }

        services.TryAddSingleton(sp => new NpgsqlDataSourceBuilder(connectionString)
            .UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>())
            .Build());
        services.TryAddSingleton<SchemaMigrator>();
        services.TryAddSingleton<ITimelineStore, PostgresTimelineStore>();
        services.TryAddSingleton<ICustomerDirectory, PostgresCustomerDirectory>();
        services.TryAddSingleton<IDuplicateStore, PostgresDuplicateStore>();
        services.TryAddSingleton<IMergeLog, PostgresMergeLog>();
        services.TryAddSingleton<IAccountStore, PostgresAccountStore>();
        services.TryAddSingleton<ISecretStore, PostgresSecretStore>();
        services.TryAddSingleton<ISourceStore, PostgresSourceStore>();
        services.TryAddSingleton<IIngestLog, PostgresIngestLog>();
        services.TryAddSingleton<IIdentityIndex, PostgresIdentityIndex>();
        services.TryAddSingleton<IImportFileStore, PostgresImportFileStore>();
        return services;
    }
}
