using System.Collections.Immutable;

namespace Crm.Imports;

[GenerateSerializer, Alias("crm.import-databases-state")]
public sealed record ImportDatabasesState
{
    [Id(0)] public ImmutableList<ImportDatabase> Databases { get; init; } = [];
}

public sealed class ImportDatabasesGrain(
    [PersistentState("import-databases", Constants.GrainStorage)] IPersistentState<ImportDatabasesState> state) : Grain, IImportDatabasesGrain
{
    public Task<IReadOnlyList<ImportDatabase>> ListAsync() => Task.FromResult<IReadOnlyList<ImportDatabase>>(state.State.Databases);

    public async Task<bool> AddAsync(ImportDatabase database)
    {
        if (state.State.Databases.Count >= IImportDatabasesGrain.MaxDatabases)
        {
            return false;
        }

        state.State = state.State with { Databases = state.State.Databases.Add(database) };
        await state.WriteStateAsync();
        return true;
    }

    public async Task<bool> RemoveAsync(Guid id)
    {
        if (state.State.Databases.Find(d => d.Id == id) is not { } database)
        {
            return false;
        }

        state.State = state.State with { Databases = state.State.Databases.Remove(database) };
        await state.WriteStateAsync();
        return true;
    }
}
