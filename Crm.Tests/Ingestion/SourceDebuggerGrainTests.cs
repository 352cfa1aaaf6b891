using Crm.Ingestion;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Ingestion;

[Collection(InMemoryClusterCollection.Name)]
public sealed class SourceDebuggerGrainTests(InMemoryClusterFixture fixture)
{
    private static readonly DateTimeOffset Noon = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Shows_entries_newest_first_even_when_recorded_out_of_order()
    {
        var debugger = fixture.Grains.GetGrain<ISourceDebuggerGrain>($"{TestTenants.New()}/src-1");

        await debugger.RecordAsync([Entry("b", Noon.AddSeconds(2)), Entry("c", Noon.AddSeconds(2))]);
        await debugger.RecordAsync([Entry("a", Noon)]);
        await debugger.RecordAsync([Entry("d", Noon.AddSeconds(3))]);

        // Recording is one-way, as the endpoints do it: read once all four are in.
        var recent = await Eventually.ReturnsAsync(debugger.GetRecentAsync, r => r.Length == 4);
        Assert.Equal(["d", "c", "b", "a"], recent.Select(e => e.MessageId));
    }

    [Fact]
    public async Task Keeps_only_the_most_recent_entries()
    {
        var debugger = fixture.Grains.GetGrain<ISourceDebuggerGrain>($"{TestTenants.New()}/src-1");

        await debugger.RecordAsync([.. Enumerable.Range(0, SourceDebuggerGrain.Capacity + 5).Select(i => Entry($"m{i}", Noon.AddSeconds(i)))]);

        var recent = await Eventually.ReturnsAsync(debugger.GetRecentAsync, r => r.Length > 0);
        Assert.Equal(SourceDebuggerGrain.Capacity, recent.Length);
        Assert.Equal($"m{SourceDebuggerGrain.Capacity + 4}", recent[0].MessageId);
        Assert.Equal("m5", recent[^1].MessageId);
    }

    private static DebuggerEntry Entry(string messageId, DateTimeOffset at) =>
        new() { At = at, Outcome = DebuggerOutcome.Accepted, MessageId = messageId, Type = "track" };
}
