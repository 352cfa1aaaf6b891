using System.Collections.Immutable;

namespace Crm.DataQuality;

[GenerateSerializer, Alias("crm.data-quality-state")]
public sealed record DataQualityState
{
    [Id(0)] public DataQualityRules Rules { get; init; } = DataQualityRules.Default;
    [Id(1)] public ImmutableList<DataQualityReport> Reports { get; init; } = [];
}

public sealed class DataQualityGrain(
    [PersistentState("data-quality", Constants.GrainStorage)] IPersistentState<DataQualityState> state) : Grain, IDataQualityGrain
{
    public Task<DataQualityRules> GetRulesAsync() => Task.FromResult(state.State.Rules);

    public async Task SetRulesAsync(DataQualityRules rules)
    {
        state.State = state.State with { Rules = rules };
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<DataQualityReport>> GetReportsAsync() => Task.FromResult<IReadOnlyList<DataQualityReport>>(state.State.Reports);

    public async Task AddReportAsync(DataQualityReport report)
    {
        var reports = state.State.Reports.Add(report);
        state.State = state.State with { Reports = reports.Count > IDataQualityGrain.KeptReports ? reports.RemoveRange(0, reports.Count - IDataQualityGrain.KeptReports) : reports };
        await state.WriteStateAsync();
    }
}
