using System.Collections.Immutable;

namespace Crm.Imports;

[GenerateSerializer, Alias("crm.import-queue-state")]
public sealed record ImportQueueState
{
    [Id(0)] public ImmutableSortedSet<string> Jobs { get; init; } = [];
}

/// <summary>The unfinished imports: a handful at any time, so one small grain holds them all.</summary>
public sealed class ImportQueueGrain(
    [PersistentState("import-queue", Constants.GrainStorage)] IPersistentState<ImportQueueState> state) : Grain, IImportQueueGrain
{
    public Task AddAsync(string jobKey) => ChangeAsync(state.State.Jobs.Add(jobKey));

    public Task RemoveAsync(string jobKey) => ChangeAsync(state.State.Jobs.Remove(jobKey));

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Jobs]);

    private async Task ChangeAsync(ImmutableSortedSet<string> jobs)
    {
        if (jobs != state.State.Jobs)
        {
            state.State = state.State with { Jobs = jobs };
            await state.WriteStateAsync();
        }
    }
}
