namespace Crm.Ingestion;

/// <summary>
/// A position in an ingest log partition. Writers to a partition take turns (see PostgresIngestLog), so positions
/// become visible in increasing order, and a processor that has read up to one has seen everything before it.
/// </summary>
[GenerateSerializer, Immutable, Alias("crm.ingest-checkpoint")]
public readonly record struct IngestCheckpoint([property: Id(0)] long Position) : IComparable<IngestCheckpoint>
{
    public static readonly IngestCheckpoint Start = new(0);

    public int CompareTo(IngestCheckpoint other) => Position.CompareTo(other.Position);
}
