using System.Collections.Immutable;

namespace Crm.Customers;

[GenerateSerializer, Alias("crm.field-definitions-state")]
public sealed record FieldDefinitionsState
{
    [Id(0)] public ImmutableSortedDictionary<string, FieldDefinition> Fields { get; init; } = ImmutableSortedDictionary.Create<string, FieldDefinition>(StringComparer.Ordinal);
}

public sealed class FieldDefinitionsGrain(
    [PersistentState("field-definitions", Constants.GrainStorage)] IPersistentState<FieldDefinitionsState> state) : Grain, IFieldDefinitionsGrain
{
    public Task<IReadOnlyList<FieldDefinition>> ListAsync() => Task.FromResult<IReadOnlyList<FieldDefinition>>([.. state.State.Fields.Values]);

    public async Task<bool> SaveAsync(FieldDefinition definition)
    {
        var fields = state.State.Fields;
        if (!fields.ContainsKey(definition.Name) && fields.Count >= IFieldDefinitionsGrain.MaxFields)
        {
            return false;
        }

        state.State = state.State with { Fields = fields.SetItem(definition.Name, definition) };
        await state.WriteStateAsync();
        return true;
    }

    public async Task<bool> DeleteAsync(string name)
    {
        if (!state.State.Fields.ContainsKey(name))
        {
            return false;
        }

        state.State = state.State with { Fields = state.State.Fields.Remove(name) };
        await state.WriteStateAsync();
        return true;
    }
}
