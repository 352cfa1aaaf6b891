using System.Collections.Immutable;
using System.Text.Json;
using BitFaster.Caching.Lru;
using Crm.Ingestion;
using Crm.Telemetry;

namespace Crm.Web.Ingestion;

/// <summary>
/// What became of the events a source sent: counted in the metrics always, and shown in the source's live debugger
/// while someone has it open (the debugger grain says whether anyone looked lately; each node asks every few seconds).
/// </summary>
public sealed class SourceOutcomes(IGrainFactory grains, CrmMetrics metrics)
{
    private const int PayloadBytes = 4096;
    private static readonly TimeSpan AskEvery = TimeSpan.FromSeconds(5);

    private readonly ConcurrentTLru<Guid, bool> _watched = new(10_000, AskEvery);

    public async Task RecordAsync(Source source, ImmutableArray<DebuggerEntry> entries)
    {
        foreach (var outcome in entries.GroupBy(e => e.Outcome))
        {
            metrics.Ingested(outcome.Key, outcome.Count());
        }

        var debugger = grains.GetGrain<ISourceDebuggerGrain>(DebuggerKey(source));
        if (await _watched.GetOrAddAsync(source.Id, _ => debugger.IsWatchedAsync()))
        {
            // Without waiting: the debugger is for watching, and the answer to the sender must not depend on it.
            debugger.RecordAsync(entries).Ignore();
        }
    }

    /// <summary>Someone opened the debugger through this node: record from now on, here without waiting for the next ask.</summary>
    public void Watching(Source source) => _watched.AddOrUpdate(source.Id, true);

    public static string DebuggerKey(Source source) => $"{source.TenantId}/{source.Id}";

    public static DebuggerEntry Entry(IngestEvent ingested, JsonElement message, bool isNew) => new()
    {
        At = ingested.ReceivedAt,
        Outcome = isNew ? DebuggerOutcome.Accepted : DebuggerOutcome.Duplicate,
        Reason = isNew ? null : "This message id was received before; it is not applied again.",
        MessageId = ingested.MessageId,
        Type = ingested.Type.ToString().ToLowerInvariant(),
        Name = ingested.Name,
        Payload = JsonInput.Preview(message, PayloadBytes),
    };

    /// <param name="calledAs">The type the call's path names (/v1/track), which a single message need not repeat.</param>
    public static DebuggerEntry Rejected(DateTimeOffset at, JsonElement message, string reason, IngestEventType? calledAs = null) => new()
    {
        At = at,
        Outcome = DebuggerOutcome.Rejected,
        Reason = reason,
        MessageId = JsonInput.String(message, "messageId"),
        Type = calledAs?.ToString().ToLowerInvariant() ?? JsonInput.String(message, "type"),
        Payload = message.ValueKind == JsonValueKind.Undefined ? null : JsonInput.Preview(message, PayloadBytes),
    };
}
