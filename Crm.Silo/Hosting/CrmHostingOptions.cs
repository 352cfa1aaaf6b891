using System.Data.Common;
using Microsoft.Extensions.Configuration;

namespace Crm.Silo.Hosting;

/// <summary>The few settings that decide how a Crm.Orleans node is wired; everything else is standard Orleans configuration.</summary>
public sealed record CrmHostingOptions
{
    public const string ConnectionStringName = "crm";

    /// <summary>PostgreSQL for durable mode; null runs everything in memory.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>How often stream pulling agents look for new events: the floor of push latency.</summary>
    public TimeSpan StreamPollInterval { get; init; } = DefaultStreamPollInterval;

    private static readonly TimeSpan DefaultStreamPollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Grain locations a silo remembers. Orleans keeps a million by default, about 330 bytes each: an import of a
    /// million customers, each activated once, would leave a third of a gigabyte of them behind. A location not
    /// remembered is looked up again, once, when its grain is next called.
    /// </summary>
    public int DirectoryCacheSize { get; init; } = DefaultDirectoryCacheSize;

    private const int DefaultDirectoryCacheSize = 100_000;

    /// <summary>Silos and clients of one deployment share these; grain state is keyed by the service id.</summary>
    public string ClusterId { get; init; } = "crm";

    public string ServiceId { get; init; } = "crm";

    public bool UsesPostgres => ConnectionString is not null;

    public static CrmHostingOptions From(IConfiguration configuration) => new()
    {
        ConnectionString = configuration.GetConnectionString(ConnectionStringName) is { Length: > 0 } cs ? WithStatementReuse(cs) : null,
        ClusterId = configuration["Orleans:ClusterId"] ?? "crm",
        ServiceId = configuration["Orleans:ServiceId"] ?? "crm",
        StreamPollInterval = configuration.GetValue("Crm:Streams:PollInterval", DefaultStreamPollInterval),
        DirectoryCacheSize = configuration.GetValue("Crm:Orleans:DirectoryCacheSize", DefaultDirectoryCacheSize),
    };

    /// <summary>
    /// The statements that run thousands of times a second (state writes, timeline appends, log reads) are prepared
    /// once per pooled connection and their plans kept, rather than parsed and planned on every call and thrown away
    /// by the DISCARD ALL that otherwise runs each time a connection goes back to the pool. Nothing here keeps session
    /// state across uses of a connection (session advisory locks are released in finally blocks). What the connection
    /// string sets explicitly wins.
    /// </summary>
    private static string WithStatementReuse(string connectionString)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        // Npgsql reads "NoResetOnClose" as "No Reset On Close": the spaces and case do not make another key.
        var given = builder.Keys.Cast<string>().Select(Spaceless).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in StatementReuse.Where(setting => !given.Contains(Spaceless(setting.Key))))
        {
            builder[key] = value;
        }

        return builder.ConnectionString;
    }

    private static string Spaceless(string key) => key.Replace(" ", "", StringComparison.Ordinal);

    private static readonly (string Key, string Value)[] StatementReuse =
        [("No Reset On Close", "true"), ("Max Auto Prepare", "64"), ("Auto Prepare Min Usages", "2")];
}
