using Crm.Silo.Hosting;

namespace Crm.Web.Hosting;

/// <summary>How this web node runs, decided once from configuration and the command line.</summary>
public sealed record CrmMode(CrmHostingOptions Hosting, bool ClientOnly, bool SeedDemo)
{
    public static CrmMode From(IConfiguration configuration, string[] args)
    {
        var hosting = CrmHostingOptions.From(configuration);
        return new CrmMode(
            hosting,
            ClientOnly: args.Contains("--cluster") || configuration.GetValue("Crm:Cluster", false),
            SeedDemo: configuration.GetValue("Crm:Demo", !hosting.UsesPostgres));
    }

    public bool Embedded => !Hosting.UsesPostgres;
}
