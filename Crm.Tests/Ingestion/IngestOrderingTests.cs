using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Crm.Tests.Ingestion;

/// <summary>
/// A property of ingestion, checked on random cases: however several people's identify, track, page and alias calls are
/// interleaved, batched, duplicated and spread over two web nodes, each person ends up as one customer whose every
/// profile field holds the value of the latest identify (by its timestamp) that set it, with every event on its
/// timeline exactly once.
/// </summary>
[Collection(TwoNodeCollection.Name)]
public sealed class IngestOrderingTests(TwoNodeFixture cluster, ITestOutputHelper output)
{
    private const int People = 6;
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddHours(-2);

    /// <summary>Fixed cases, and one new every run (its seed is in the output, to replay a failure).</summary>
    public static TheoryData<int> Seeds => [20261201, 7, 424242, Environment.TickCount & int.MaxValue];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Each_profile_is_what_applying_by_timestamp_gives_and_each_event_is_applied_once(int seed)
    {
        var random = new Random(seed);
        var run = $"r{seed}-{Guid.NewGuid():N}"[..20];
        var (_, senders) = await cluster.SourceAsync($"Ordering {seed}");
        var people = Enumerable.Range(0, People).Select(p => Person.Random(random, run, p)).ToList();
        var messages = people.SelectMany(p => p.Messages).ToList();
        // Integrations retry: some messages are sent again, in another batch, maybe to the other node.
        var sent = messages.Concat(messages.Where(_ => random.NextDouble() < 0.1)).OrderBy(_ => random.Next()).ToList();
        var batches = new List<List<object>>();
        for (var i = 0; i < sent.Count;)
        {
            var size = random.Next(1, 16);
            batches.Add(sent.Skip(i).Take(size).ToList());
            i += size;
        }

        output.WriteLine($"seed {seed}: {messages.Count} messages in {batches.Count} batches");
        var assignments = batches.Select(b => (Batch: b, Node: random.Next(senders.Length))).ToList();
        await Parallel.ForEachAsync(assignments, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (a, _) =>
        {
            var response = await senders[a.Node].PostAsJsonAsync("/v1/batch", new { batch = a.Batch });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        });

        var rows = People * (Person.Tracks + Person.Pages);
        await Eventually.ReturnsAsync(
            () => cluster.ScalarAsync("SELECT count(*) FROM crm_timeline WHERE tenant_id = $1 AND external_id LIKE $2", TwoNodeFixture.Tenant, $"{run}-%"),
            count => count >= rows, TimeSpan.FromSeconds(60));
        Assert.Equal(rows, await cluster.ScalarAsync("SELECT count(DISTINCT external_id) FROM crm_timeline WHERE tenant_id = $1 AND external_id LIKE $2", TwoNodeFixture.Tenant, $"{run}-%"));
        Assert.Equal(rows, await cluster.ScalarAsync("SELECT count(*) FROM crm_timeline WHERE tenant_id = $1 AND external_id LIKE $2", TwoNodeFixture.Tenant, $"{run}-%"));

        var admin = await cluster.AdminAsync(random.Next(senders.Length));
        foreach (var person in people)
        {
            var found = await Eventually.ReturnsAsync(
                async () => (await (await admin.GetAsync($"/api/customers?query={person.UserId}")).ReadJsonAsync()).GetProperty("items"),
                items => items.GetArrayLength() == 1);
            var id = found[0].GetProperty("id").GetString()!;
            var customer = await Eventually.ReturnsAsync(
                async () => await (await admin.GetAsync($"/api/customers/{id}")).ReadJsonAsync(),
                c => person.Matches(c), TimeSpan.FromSeconds(30));
            var timeline = (await (await admin.GetAsync($"/api/customers/{id}/timeline?limit=200")).ReadJsonAsync()).GetProperty("items").EnumerateArray()
                .Select(i => i.GetProperty("externalId").GetString()).Order().ToList();
            Assert.Equal(person.RowIds.Order(), timeline);
            Assert.True(person.Matches(customer), $"{person.UserId}: expected {person.Expected}, got {customer}");
        }
    }

    /// <summary>One person as a web site reports them: a visit before signing in, the sign-in (alias), profile updates, events.</summary>
    private sealed record Person(string UserId, IReadOnlyList<object> Messages, IReadOnlyList<string> RowIds, IReadOnlyDictionary<string, object> Expected)
    {
        public const int Identifies = 4;
        public const int Tracks = 3;
        public const int Pages = 2;

        public static Person Random(Random random, string run, int index)
        {
            var (userId, anonymousId) = ($"{run}-u{index}", $"{run}-a{index}");
            var minutes = Enumerable.Range(0, 100).OrderBy(_ => random.Next()).Take(Identifies + Tracks + Pages + 1).ToArray();
            string At(int i) => Start.AddMinutes(minutes[i]).ToString("O", CultureInfo.InvariantCulture);
            var messages = new List<object>();
            var latest = new Dictionary<string, (int Minute, object Value)>();
            for (var k = 0; k < Identifies; k++)
            {
                var traits = new Dictionary<string, object>();
                void Set(string field, string trait, object value, bool always = false)
                {
                    if (always || random.NextDouble() < 0.6)
                    {
                        traits[trait] = value;
                        if (!latest.TryGetValue(field, out var current) || minutes[k] > current.Minute)
                        {
                            latest[field] = (minutes[k], value);
                        }
                    }
                }

                Set("displayName", "name", $"Person {index} version {k}", always: k == 0);
                Set("company", "company", $"Company {k}");
                Set("attributes.plan", "plan", k);
                Set("attributes.vip", "vip", k % 2 == 0);
                messages.Add(new { type = "identify", userId, messageId = $"{run}-identify-{index}-{k}", timestamp = At(k), traits });
            }

            var rowIds = new List<string>();
            for (var t = 0; t < Tracks; t++)
            {
                rowIds.Add($"{run}-track-{index}-{t}");
                messages.Add(new { type = "track", userId, @event = "Product Viewed", messageId = rowIds[^1], timestamp = At(Identifies + t) });
            }

            for (var p = 0; p < Pages; p++)
            {
                rowIds.Add($"{run}-page-{index}-{p}");
                messages.Add(new { type = "page", anonymousId, name = "Pricing", messageId = rowIds[^1], timestamp = At(Identifies + Tracks + p) });
            }

            messages.Add(new { type = "alias", userId, previousId = anonymousId, messageId = $"{run}-alias-{index}", timestamp = At(Identifies + Tracks + Pages) });
            return new Person(userId, messages, rowIds, latest.ToDictionary(l => l.Key, l => l.Value.Value));
        }

        public bool Matches(JsonElement customer) => Expected.All(e => e.Key switch
        {
            "displayName" => customer.GetProperty("displayName").GetString() == (string)e.Value,
            "company" => customer.TryGetProperty("company", out var company) && company.GetString() == (string)e.Value,
            "attributes.plan" => customer.GetProperty("attributes").TryGetProperty("plan", out var plan) && plan.GetInt32() == (int)e.Value,
            "attributes.vip" => customer.GetProperty("attributes").TryGetProperty("vip", out var vip) && vip.GetBoolean() == (bool)e.Value,
            _ => false,
        });
    }
}
