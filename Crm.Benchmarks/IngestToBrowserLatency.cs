using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Crm.Benchmarks;

/// <summary>
/// From "accepted" to "on the agent's screen": Segment events are sent at a steady rate for customers that a SignalR
/// client watches; each event's latency is the time from the HTTP acknowledgement of its batch to the arrival of its
/// interactionAdded message. Targets at 2,000 events/s: p50 at most 10 ms, p99 at most 50 ms.
/// </summary>
public static class IngestToBrowserLatency
{
    public sealed record Result(double EventsPerSecond, double P50Ms, double P99Ms, int Sent, int Delivered, int Customers);

    public static async Task<Result> RunAsync(string connectionString, TimeSpan duration, int eventsPerSecond = 2000, int customers = 50)
    {
        await using var node = await WebNode.StartAsync(connectionString);
        using var source = node.SourceClient();
        using var admin = node.Client(node.AdminToken);
        var users = Enumerable.Range(0, customers).Select(i => $"watched-{i}").ToList();
        await source.PostAsJsonAsync("/v1/batch", new { batch = users.Select(u => new { type = "identify", userId = u, traits = new { name = u } }) });
        var ids = new List<string>();
        foreach (var user in users)
        {
            while (true)
            {
                var page = await (await admin.GetAsync($"/api/customers?query={user}&limit=2")).Content.ReadFromJsonAsync<JsonElement>();
                if (page.GetProperty("items").EnumerateArray().FirstOrDefault(c => c.GetProperty("displayName").GetString() == user) is { ValueKind: JsonValueKind.Object } found)
                {
                    ids.Add(found.GetProperty("id").GetString()!);
                    break;
                }

                await Task.Delay(50);
            }
        }

        var received = new ConcurrentDictionary<string, long>();
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(node.Address, "/hubs/crm"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(node.AdminToken))
            .Build();
        hub.On<JsonElement>("interactionAdded", i => received.TryAdd(i.GetProperty("externalId").GetString()!, Stopwatch.GetTimestamp()));
        await hub.StartAsync();
        foreach (var id in ids)
        {
            await hub.InvokeAsync<long>("WatchCustomer", id, (long?)null);
        }

        // The first seconds of a fresh process are JIT compilation: measure the node as it runs, not as it starts.
        await SendAtRateAsync(source, users, TimeSpan.FromSeconds(10), eventsPerSecond, "warmup");
        var (sent, accepted) = await SendAtRateAsync(source, users, duration, eventsPerSecond, "measured");
        var settle = Stopwatch.GetTimestamp() + 3 * Stopwatch.Frequency;
        while (accepted.Keys.Any(id => !received.ContainsKey(id)) && Stopwatch.GetTimestamp() < settle)
        {
            await Task.Delay(50);
        }

        // An event can arrive on screen before the HTTP answer reaches the sender; that counts as no wait at all.
        var latencies = accepted
            .Where(a => received.ContainsKey(a.Key))
            .Select(a => Math.Max(0, Stopwatch.GetElapsedTime(a.Value, received[a.Key]).TotalMilliseconds))
            .Order()
            .ToList();
        return new Result(sent / duration.TotalSeconds, Percentiles.Of(latencies, 50), Percentiles.Of(latencies, 99), sent, latencies.Count, customers);
    }

    /// <summary>Sends a batch every tick whatever the answers, and notes when each event was acknowledged.</summary>
    private static async Task<(int Sent, ConcurrentDictionary<string, long> Accepted)> SendAtRateAsync(
        HttpClient source, IReadOnlyList<string> users, TimeSpan duration, int eventsPerSecond, string run)
    {
        var accepted = new ConcurrentDictionary<string, long>();
        var perTick = OpenLoad.PerTick(eventsPerSecond);
        var batches = await OpenLoad.RunAsync(duration, async n =>
        {
            var messages = Enumerable.Range(n * perTick, perTick).Select(i => (Id: $"{run}-{i}", User: users[i % users.Count])).ToList();
            using var response = await source.PostAsJsonAsync("/v1/batch", new { batch = messages.Select(m => new { type = "track", userId = m.User, @event = "Clicked", messageId = m.Id }) });
            var at = Stopwatch.GetTimestamp();
            if (response.IsSuccessStatusCode)
            {
                messages.ForEach(m => accepted[m.Id] = at);
            }
        });
        return (batches * perTick, accepted);
    }
}
