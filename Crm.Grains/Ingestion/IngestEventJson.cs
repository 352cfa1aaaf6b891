using System.Text.Json;
using System.Text.Json.Serialization;

namespace Crm.Ingestion;

/// <summary>How the ingest log stores an event: JSON in UTF-8, readable in SQL (convert_from(payload, 'UTF8')) and quick to read back.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, IgnoreReadOnlyProperties = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IngestEvent))]
public sealed partial class IngestEventJson : JsonSerializerContext
{
    public static byte[] Serialize(IngestEvent ingested) => JsonSerializer.SerializeToUtf8Bytes(ingested, Default.IngestEvent);

    public static IngestEvent Deserialize(ReadOnlySpan<byte> payload) =>
        JsonSerializer.Deserialize(payload, Default.IngestEvent) ?? throw new JsonException("An ingest log row holds no event.");
}
