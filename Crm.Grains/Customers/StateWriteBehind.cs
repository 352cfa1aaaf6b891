namespace Crm.Customers;

/// <summary>
/// Writes a customer's state once, a moment after a change that need not be durable at once (counters and recent
/// interactions are rebuilt from the timeline after a crash), however many such changes come in between.
/// </summary>
/// <param name="written">What follows a write: the customer list row takes the counters it wrote.</param>
/// <param name="failed">What to do when the write fails: nothing is lost, the next activation rebuilds the state.</param>
internal sealed class StateWriteBehind(IGrainBase grain, IPersistentState<CustomerState> state, TimeSpan delay, Func<Task> written, Action<Exception> failed)
{
    private IGrainTimer? _flush;
    private bool _behind;
    /// <summary>The list row lacks the counters: a full write of the state in between does not project them.</summary>
    private bool _projectionBehind;

    public void Mark()
    {
        _behind = _projectionBehind = true;
        // Spread over ±25%: customers a bulk load touched together would otherwise all write at the same moment.
        _flush ??= grain.RegisterGrainTimer(_ => FlushAsync(), new GrainTimerCreationOptions(delay * (0.75 + Random.Shared.NextDouble() / 2), Timeout.InfiniteTimeSpan) { KeepAlive = false });
    }

    /// <summary>The state was just written in full: nothing is behind.</summary>
    public void Written() => _behind = false;

    public async Task FlushAsync()
    {
        _flush?.Dispose();
        _flush = null;
        if (!_behind && !_projectionBehind)
        {
            return;
        }

        try
        {
            if (_behind)
            {
                await state.WriteStateAsync();
                _behind = false;
            }

            _projectionBehind = false;
            await written();
        }
        catch (Exception ex)
        {
            failed(ex);
        }
    }
}
