namespace Crm.Ingestion;

[GenerateSerializer, Alias("crm.identity-state")]
public sealed record IdentityState([property: Id(0)] string CustomerId, [property: Id(1)] DateTimeOffset ClaimedAt);

public sealed class IdentityGrain(
    [PersistentState("identity", Constants.GrainStorage)] IPersistentState<IdentityState> state,
    TimeProvider time) : Grain, IIdentityGrain
{
    public Task<string?> GetOwnerAsync() => Task.FromResult(state.RecordExists ? state.State.CustomerId : null);

    public async Task<string> ClaimAsync(string customerId)
    {
        if (!state.RecordExists)
        {
            state.State = new IdentityState(customerId, time.GetUtcNow());
            await state.WriteStateAsync();
        }

        return state.State.CustomerId;
    }

    public async Task ReassignAsync(string fromCustomerId, string toCustomerId)
    {
        if (state.RecordExists && state.State.CustomerId == fromCustomerId)
        {
            state.State = new IdentityState(toCustomerId, time.GetUtcNow());
            await state.WriteStateAsync();
        }
    }
}
