namespace Crm.Ingestion;

public sealed class IngestOptions
{
    public const string Section = "Crm:Ingest";

    /// <summary>How long a message id is remembered: the same id again within this window is not applied twice.</summary>
    public TimeSpan DedupeWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Events a processor reads at a time.</summary>
    public int BatchSize { get; set; } = 2000;

    /// <summary>Events a processor has read and not yet applied, at most: reads go on while earlier batches are applied.</summary>
    /// <remarks>Not the writers' MaxEventsInFlight (the same section): that one bounds what is received and not yet committed.</remarks>
    public int MaxEventsReadAhead { get; set; } = 4000;

    /// <summary>Identities each processor remembers the owner of (a bounded LRU).</summary>
    public int IdentityCacheSize { get; set; } = 20_000;

    /// <summary>A partition whose oldest unapplied event is older than this makes the readiness check report degraded.</summary>
    public TimeSpan LagWarning { get; set; } = TimeSpan.FromMinutes(5);
}
