namespace Crm.Storage;

public static class PersistentStates
{
    /// <summary>
    /// Makes <paramref name="next"/> the state once it is written. A failed write leaves the state as stored, so that
    /// a call made again works its change out again rather than finding it made in memory only.
    /// </summary>
    public static async Task WriteAsync<T>(this IPersistentState<T> state, T next)
    {
        var stored = state.State;
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = stored;
            throw;
        }
    }
}
