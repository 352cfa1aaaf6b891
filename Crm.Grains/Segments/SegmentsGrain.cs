using System.Collections.Immutable;
using Crm.Security;
using Crm.Storage;

namespace Crm.Segments;

[GenerateSerializer, Alias("crm.segments-state")]
public sealed record SegmentsState
{
    [Id(0)] public ImmutableSortedDictionary<string, SavedSegment> Segments { get; init; } = ImmutableSortedDictionary.Create<string, SavedSegment>(StringComparer.Ordinal);
}

/// <summary>A tenant's saved segments: their names and rules. Who is in one is the customer list's to answer.</summary>
public sealed class SegmentsGrain(
    [PersistentState("segments", Constants.GrainStorage)] IPersistentState<SegmentsState> state,
    SegmentRulesCache cache,
    TimeProvider time) : Grain, ISegmentsGrain
{
    private ImmutableSortedDictionary<string, SavedSegment> Segments => state.State.Segments;

    public Task<IReadOnlyList<SavedSegment>> ListAsync() =>
        Task.FromResult<IReadOnlyList<SavedSegment>>([.. Segments.Values.OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase).ThenBy(s => s.Id, StringComparer.Ordinal)]);

    public Task<SavedSegment?> GetAsync(string id) => Task.FromResult(Segments.GetValueOrDefault(id));

    public async Task<SegmentSaveResult> CreateAsync(string name, SegmentRule rule, Actor actor)
    {
        if (Segments.Count >= ISegmentsGrain.MaxSegments)
        {
            return new SegmentSaveResult(SegmentSaveOutcome.TooMany, null);
        }

        if (NameTaken(name, exceptId: null))
        {
            return new SegmentSaveResult(SegmentSaveOutcome.NameTaken, null);
        }

        var now = time.GetUtcNow();
        return await SaveAsync(new SavedSegment(Guid.CreateVersion7().ToString("N"), name, rule, 1, now, actor, now, actor));
    }

    public async Task<SegmentSaveResult> UpdateAsync(string id, string name, SegmentRule rule, long? expectedVersion, Actor actor)
    {
        if (Segments.GetValueOrDefault(id) is not { } current)
        {
            return new SegmentSaveResult(SegmentSaveOutcome.NotFound, null);
        }

        if (expectedVersion is { } expected && expected != current.Version)
        {
            return new SegmentSaveResult(SegmentSaveOutcome.VersionMismatch, current);
        }

        if (NameTaken(name, exceptId: id))
        {
            return new SegmentSaveResult(SegmentSaveOutcome.NameTaken, null);
        }

        return await SaveAsync(current with { Name = name, Rule = rule, Version = current.Version + 1, UpdatedAt = time.GetUtcNow(), UpdatedBy = actor });
    }

    public async Task<bool> DeleteAsync(string id)
    {
        if (!Segments.ContainsKey(id))
        {
            return false;
        }

        await PersistAsync(state.State with { Segments = Segments.Remove(id) });
        return true;
    }

    private bool NameTaken(string name, string? exceptId) =>
        Segments.Values.Any(s => s.Id != exceptId && string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    private async Task<SegmentSaveResult> SaveAsync(SavedSegment segment)
    {
        await PersistAsync(state.State with { Segments = Segments.SetItem(segment.Id, segment) });
        return new SegmentSaveResult(SegmentSaveOutcome.Saved, segment);
    }

    private async Task PersistAsync(SegmentsState next)
    {
        await state.WriteAsync(next);
        var tenantId = this.GetPrimaryKeyString();
        cache.Forget(tenantId);
        await GrainFactory.GetGrain<ISegmentCountsGrain>(tenantId).SegmentsChangedAsync();
        // One-way, since the clock reads the segments: a message lost is made good by the next change of them.
        await GrainFactory.GetGrain<ISegmentClockGrain>(tenantId).SegmentsChangedAsync(next.Segments.Values.Any(s => SegmentRules.MovesWithTime(s.Rule)));
    }
}
