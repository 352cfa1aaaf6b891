namespace Crm.Ingestion;

/// <summary>
/// A position in an ingest log partition: the writing transaction's id, then the row's position. Rows are read in
/// this order and only below the oldest transaction still running, so a row committed late is never skipped.
/// </summary>
[GenerateSerializer, Immutable, Alias("crm.ingest-checkpoint")]
public readonly record struct IngestCheckpoint(
    [property: Id(0)] long TransactionId,
    [property: Id(1)] long Position) : IComparable<IngestCheckpoint>
{
    public static readonly IngestCheckpoint Start = new(0, 0);

    public int CompareTo(IngestCheckpoint other) =>
        TransactionId != other.TransactionId ? TransactionId.CompareTo(other.TransactionId) : Position.CompareTo(other.Position);
}
