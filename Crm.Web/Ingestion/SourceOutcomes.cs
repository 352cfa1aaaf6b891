using System.Collections.Immutable;
using Crm.Ingestion;
using Crm.Telemetry;

namespace Crm.Web.Ingestion;

/// <summary>What became of the events a source sent: shown in the source's live debugger and counted in the metrics.</summary>
public sealed class SourceOutcomes(IGrainFactory grains, CrmMetrics metrics)
{
    public void Record(Source source, ImmutableArray<DebuggerEntry> entries)
    {
        // Without waiting: the debugger is for watching, and the answer to the sender must not depend on it.
        grains.GetGrain<ISourceDebuggerGrain>(SourceAuthenticator.DebuggerKey(source)).RecordAsync(entries).Ignore();
        foreach (var outcome in entries.GroupBy(e => e.Outcome))
        {
            metrics.Ingested(outcome.Key, outcome.Count());
        }
    }
}
