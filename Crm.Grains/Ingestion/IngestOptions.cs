namespace Crm.Ingestion;

public sealed class IngestOptions
{
    public const string Section = "Crm:Ingest";

    /// <summary>How long a message id is remembered: the same id again within this window is not applied twice.</summary>
    public TimeSpan DedupeWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Events a processor reads at a time; its checkpoint moves once per batch.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>Customers a processor applies events to at once; one customer's events stay in order.</summary>
    public int Parallelism { get; set; } = 16;
}
