namespace Crm.Ingestion;

/// <summary>An ingested event that failed every time it was applied, set aside so that its partition could go on.</summary>
[GenerateSerializer, Immutable, Alias("crm.parked-event")]
public sealed record ParkedEvent(
    [property: Id(0)] long Position,
    [property: Id(1)] string TenantId,
    [property: Id(2)] string MessageId,
    [property: Id(3)] string Reason,
    [property: Id(4)] DateTimeOffset ParkedAt,
    [property: Id(5)] int Attempts);
