using System.Collections.Immutable;

namespace Crm.Imports;

[GenerateSerializer, Alias("crm.import-templates-state")]
public sealed record ImportTemplatesState
{
    [Id(0)] public ImmutableSortedDictionary<string, ImportTemplate> Templates { get; init; } = ImmutableSortedDictionary.Create<string, ImportTemplate>(StringComparer.Ordinal);
}

public sealed class ImportTemplatesGrain(
    [PersistentState("import-templates", Constants.GrainStorage)] IPersistentState<ImportTemplatesState> state) : Grain, IImportTemplatesGrain
{
    public Task<IReadOnlyList<ImportTemplate>> ListAsync() => Task.FromResult<IReadOnlyList<ImportTemplate>>([.. state.State.Templates.Values]);

    public async Task<bool> SaveAsync(ImportTemplate template)
    {
        var templates = state.State.Templates;
        if (!templates.ContainsKey(template.Name) && templates.Count >= IImportTemplatesGrain.MaxTemplates)
        {
            return false;
        }

        state.State = state.State with { Templates = templates.SetItem(template.Name, template) };
        await state.WriteStateAsync();
        return true;
    }

    public async Task<bool> DeleteAsync(string name)
    {
        if (!state.State.Templates.ContainsKey(name))
        {
            return false;
        }

        state.State = state.State with { Templates = state.State.Templates.Remove(name) };
        await state.WriteStateAsync();
        return true;
    }
}
