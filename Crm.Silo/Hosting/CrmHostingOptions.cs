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

    /// <summary>Silos and clients of one deployment share these; grain state is keyed by the service id.</summary>
    public string ClusterId { get; init; } = "crm";

    public string ServiceId { get; init; } = "crm";

    public bool UsesPostgres => ConnectionString is not null;

    public static CrmHostingOptions From(IConfiguration configuration) => new()
    {
        ConnectionString = configuration.GetConnectionString(ConnectionStringName) is { Length: > 0 } cs ? cs : null,
        ClusterId = configuration["Orleans:ClusterId"] ?? "crm",
        ServiceId = configuration["Orleans:ServiceId"] ?? "crm",
        StreamPollInterval = configuration.GetValue("Crm:Streams:PollInterval", DefaultStreamPollInterval),
    };
}
