using Crm.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Crm.Silo.Hosting;

public static class CrmTelemetryExtensions
{
    /// <summary>The standard OpenTelemetry setting that names the collector; without it nothing is exported.</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// The product's metrics, and when <see cref="OtlpEndpointSetting"/> is set, OpenTelemetry traces and metrics
    /// exported over OTLP: grain calls, PostgreSQL commands, outgoing HTTP, the runtime, and <see cref="CrmMetrics"/>.
    /// The other OTEL_* settings (protocol, headers, intervals) apply as usual.
    /// </summary>
    /// <param name="configure">What the host adds on top, such as its incoming HTTP.</param>
    public static IHostApplicationBuilder AddCrmTelemetry(this IHostApplicationBuilder builder, Action<IOpenTelemetryBuilder>? configure = null)
    {
        builder.Services.TryAddSingleton<CrmMetrics>();
        if (string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointSetting]))
        {
            return builder;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName))
            .WithTracing(tracing => tracing
                .AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                .AddNpgsql()
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(CrmMetrics.MeterName, "Microsoft.Orleans")
                .AddNpgsqlInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation())
            .UseOtlpExporter();
        configure?.Invoke(telemetry);
        return builder;
    }
}
