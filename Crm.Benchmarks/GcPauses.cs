using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace Crm.Benchmarks;

/// <summary>
/// The garbage collector's pauses in another .NET process, read from its runtime events over EventPipe (what
/// dotnet-trace reads): each pause runs from the runtime suspending the process for a collection to resuming it.
/// </summary>
public sealed class GcPauses : IAsyncDisposable
{
    private readonly EventPipeSession _session;
    private readonly EventPipeEventSource _source;
    private readonly Task _processing;
    private readonly List<(DateTime At, double Ms, int Generation)> _pauses = [];
    private DateTime? _suspendedAt;
    private int _generation;

    private GcPauses(int processId)
    {
        var gc = new EventPipeProvider(ClrTraceEventParser.ProviderName, EventLevel.Informational, (long)ClrTraceEventParser.Keywords.GC);
        _session = new DiagnosticsClient(processId).StartEventPipeSession(gc, requestRundown: false);
        _source = new EventPipeEventSource(_session.EventStream);
        _source.Clr.GCSuspendEEStart += e => _suspendedAt = e.TimeStamp;
        _source.Clr.GCStart += e => _generation = e.Depth;
        _source.Clr.GCRestartEEStop += e =>
        {
            if (_suspendedAt is { } at)
            {
                lock (_pauses)
                {
                    _pauses.Add((at.ToUniversalTime(), (e.TimeStamp - at).TotalMilliseconds, _generation));
                }
            }

            _suspendedAt = null;
        };
        _processing = Task.Run(_source.Process);
    }

    public static GcPauses Watch(int processId) => new(processId);

    /// <summary>Pause time per second of the window, the longest pause, and how many collections of each generation paused.</summary>
    /// <remarks>Events arrive in buffers a moment after they happen: call this a second or two after the window closes.</remarks>
    public (double MsPerSecond, double LongestMs, int[] ByGeneration) Between(DateTime fromUtc, DateTime toUtc)
    {
        lock (_pauses)
        {
            var inWindow = _pauses.Where(p => p.At >= fromUtc && p.At < toUtc).ToList();
            var byGeneration = new int[3];
            inWindow.ForEach(p => byGeneration[Math.Min(p.Generation, 2)]++);
            return (inWindow.Sum(p => p.Ms) / (toUtc - fromUtc).TotalSeconds, inWindow.Select(p => p.Ms).DefaultIfEmpty(0).Max(), byGeneration);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _session.StopAsync(CancellationToken.None);
        }
        catch (ServerNotAvailableException)
        {
            // The process is gone: nothing more to read.
        }

        await _processing;
        _session.Dispose();
        _source.Dispose();
    }
}
