using System.Collections.Concurrent;

namespace Crm.Web.Api;

/// <summary>
/// Answers of a lookup kept for a while on this node, so that hot paths do not query the database on every request;
/// what another node changes shows here within the keeping time.
/// </summary>
public sealed class TimedCache<TKey, TValue>(TimeSpan keepFor, TimeProvider time) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, (TValue Value, DateTimeOffset LookedUpAt)> _entries = new();

    /// <param name="keep">Which answers to keep; the others are looked up again each time.</param>
    public async Task<TValue> GetAsync(TKey key, Func<Task<TValue>> lookup, Func<TValue, bool>? keep = null)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(key, out var cached) && now - cached.LookedUpAt <= keepFor)
        {
            return cached.Value;
        }

        var value = await lookup();
        if (keep?.Invoke(value) ?? true)
        {
            _entries[key] = (value, now);
        }

        return value;
    }

    /// <summary>Drops the answers that match at once, as when this node made the change.</summary>
    public void Forget(Func<TKey, TValue, bool> match)
    {
        foreach (var entry in _entries.Where(e => match(e.Key, e.Value.Value)))
        {
            _entries.TryRemove(entry);
        }
    }
}
