using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Crm.Tests.Hosting;

/// <summary>Metrics and traces as an operator's OpenTelemetry collector receives them, over OTLP/HTTP.</summary>
[Collection(Name)]
public sealed class TelemetryTests
{
    [Fact]
    public async Task Counts_what_sources_send_and_exports_traces_and_metrics_to_the_configured_collector()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var web = new CrmWebFactory(settings: new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_SERVICE_NAME"] = ServiceName,
        });
        var admin = await web.SignInAsync(TestTenants.New(), Roles.Admin);
        var outcomes = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        var meters = web.Services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == "crm.ingest.events")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) => outcomes.AddOrUpdate((string)tags[0].Value!, value, (_, sum) => sum + value));
        listener.Start();
        var source = await TestSource.CreateAsync(web, admin);
        var batch = new { batch = new object[] { new { type = "track", userId = "u-1", @event = "Viewed", messageId = "m-1" }, new { type = "track", userId = "u-1" } } };

        await source.SendAsync("batch", batch);
        await source.SendAsync("batch", batch);

        Assert.Equal(new Dictionary<string, long> { ["accepted"] = 1, ["duplicate"] = 1, ["rejected"] = 2 }, outcomes.OrderBy(o => o.Key).ToDictionary());
        // Every test host in this process feeds the same activity listeners, so spans may be dropped when their
        // queue fills; this host's exports carry its service name, whichever spans they hold.
        await Eventually.ReturnsAsync(
            () => Task.FromResult(string.Join(", ", new[]
            {
                ("/v1/traces", ServiceName), ("/v1/metrics", ServiceName), ("/v1/metrics", "crm.ingest.events"), ("/v1/metrics", "crm.ingest.applied"),
            }.Where(expected => !collector.Has(expected.Item1, expected.Item2)))),
            missing => missing.Length == 0);
    }

    private const string ServiceName = "crm-telemetry-test";

    /// <summary>
    /// Alone, after the parallel collections: OpenTelemetry picks meters and activity sources by name across the
    /// whole process, and the other tests' hosts, whose meters bear the same names, would crowd this one's exports.
    /// </summary>
    public const string Name = "Telemetry";

    /// <summary>Receives OTLP/HTTP exports as a collector does, and keeps them to look into.</summary>
    private sealed class OtlpCollector : IAsyncDisposable
    {
        private readonly ConcurrentQueue<(string Path, string Body)> _received = new();
        private WebApplication _app = null!;

        public string Endpoint { get; private init; } = "";

        public static async Task<OtlpCollector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            var endpoint = $"http://127.0.0.1:{FreePorts.Next()}";
            builder.WebHost.UseUrls(endpoint);
            builder.Logging.ClearProviders();
            var collector = new OtlpCollector { Endpoint = endpoint };
            collector._app = builder.Build();
            collector._app.MapPost("/v1/{signal}", async (HttpContext http) =>
            {
                using var body = new MemoryStream();
                await http.Request.Body.CopyToAsync(body);
                // Protobuf keeps names as UTF-8 bytes: enough to see what was sent without decoding it.
                collector._received.Enqueue((http.Request.Path, Encoding.UTF8.GetString(body.ToArray())));
                return Results.Ok();
            });
            await collector._app.StartAsync();
            return collector;
        }

        public bool Has(string path, string text) => _received.Any(r => r.Path == path && r.Body.Contains(text, StringComparison.Ordinal));

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}

[CollectionDefinition(TelemetryTests.Name, DisableParallelization = true)]
public sealed class TelemetryCollection;
