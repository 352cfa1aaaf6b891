using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Crm.Ingestion;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace Crm.Tests.Ingestion;

/// <summary>
/// The database goes away under load, as in a restart: requests meanwhile get 503 and are sent again, nothing
/// acknowledged is lost or applied twice, and no healthy event is parked for a failure that was not its own.
/// </summary>
public sealed class DatabaseOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestPostgres _database = null!;

    public async Task InitializeAsync() => _database = await TestPostgres.CreateAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task An_outage_during_load_parks_nothing_and_loses_nothing()
    {
        await using var web = new CrmWebFactory(_database.ConnectionString);
        var source = await TestSource.CreateAsync(web, await web.SignInAsync(TestTenants.New(), Roles.Admin));
        var acknowledged = new ConcurrentBag<string>();
        var answers = new ConcurrentDictionary<HttpStatusCode, int>();
        using var stop = new CancellationTokenSource();
        var senders = Enumerable.Range(0, 4).Select(sender => Task.Run(async () =>
        {
            for (var batch = 0; !stop.IsCancellationRequested; batch++)
            {
                var ids = Enumerable.Range(0, 20).Select(i => $"outage-{sender}-{batch}-{i}").ToList();
                // As Segment's libraries do: the same batch again until it is acknowledged.
                while (true)
                {
                    HttpStatusCode status;
                    try
                    {
                        status = (await source.SendAsync("batch", new { batch = ids.Select((id, i) => new { type = "track", userId = $"shopper-{i % 7}", @event = "Viewed", messageId = id }) })).StatusCode;
                    }
                    catch (HttpRequestException)
                    {
                        status = HttpStatusCode.BadGateway;
                    }

                    answers.AddOrUpdate(status, 1, (_, n) => n + 1);
                    if (status == HttpStatusCode.OK)
                    {
                        ids.ForEach(acknowledged.Add);
                        break;
                    }

                    await Task.Delay(100);
                }
            }
        })).ToList();

        await Eventually.ReturnsAsync(() => Task.FromResult(acknowledged.Count), n => n >= 400);
        await SetConnectionsAsync(allowed: false);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await SetConnectionsAsync(allowed: true);
        var afterOutage = acknowledged.Count;
        await Eventually.ReturnsAsync(() => Task.FromResult(acknowledged.Count), n => n >= afterOutage + 400, TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await Task.WhenAll(senders);

        output.WriteLine(string.Join(", ", answers.Select(a => $"{a.Key}: {a.Value}")));
        var (rows, distinct) = await Eventually.ReturnsAsync(
            async () => (await _database.ScalarAsync<long>("SELECT count(*) FROM crm_timeline WHERE external_id LIKE 'outage-%'"),
                         await _database.ScalarAsync<long>("SELECT count(DISTINCT external_id) FROM crm_timeline WHERE external_id LIKE 'outage-%'")),
            counts => counts.Item1 >= acknowledged.Count, TimeSpan.FromSeconds(60));
        Assert.Equal(acknowledged.Count, rows);
        Assert.Equal(acknowledged.Count, distinct);
        Assert.DoesNotContain(answers.Keys, status => (int)status == 500);
        var grains = web.Services.GetRequiredService<IGrainFactory>();
        var statuses = await Task.WhenAll(Enumerable.Range(0, web.Services.GetRequiredService<IIngestLog>().Partitions).Select(p => grains.GetGrain<IIngestPartitionGrain>(p).GetStatusAsync()));
        Assert.All(statuses, s => Assert.Empty(s.Parked));
    }

    /// <summary>The database refuses connections and drops those it has, as when it restarts; other tests' databases carry on.</summary>
    private async Task SetConnectionsAsync(bool allowed)
    {
        var admin = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        await using var alter = new NpgsqlCommand($"ALTER DATABASE {_database.Name} ALLOW_CONNECTIONS {(allowed ? "true" : "false")}", connection);
        await alter.ExecuteNonQueryAsync();
        if (!allowed)
        {
            await using var terminate = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", connection);
            terminate.Parameters.AddWithValue(_database.Name);
            await terminate.ExecuteNonQueryAsync();
        }
    }
}
