using System.Threading.RateLimiting;
using Crm.Silo.Hosting;
using Crm.Web.Analytics;
using Crm.Web.Imports;
using Crm.Web.Ingestion;
using Crm.Web.Api;
using Crm.Web.Customers;
using Crm.Web.Demo;
using Crm.Web.RealTime;
using Crm.Web.Security;
using Crm.Web.Timeline;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Crm.Web.Hosting;

public static class CrmWebApplicationBuilderExtensions
{
    public const long DefaultMaxRequestBodyBytes = 256 * 1024;

    /// <summary>
    /// Everything Crm.Web runs: a co-hosted silo (or, with --cluster, a client of one), the HTTP API, the hub,
    /// and the start-up work that must follow Orleans in this order: signing key, demo data, accounts, banner.
    /// </summary>
    public static WebApplicationBuilder AddCrm(this WebApplicationBuilder builder, string[] args)
    {
        var mode = CrmMode.From(builder.Configuration, args);
        var services = builder.Services;
        services.AddSingleton(mode);
        builder.AddCrmTelemetry(telemetry => telemetry
            .WithTracing(tracing => tracing.AddAspNetCoreInstrumentation())
            .WithMetrics(metrics => metrics.AddAspNetCoreInstrumentation()));
        if (mode.ClientOnly)
        {
            builder.AddCrmClient();
        }
        else
        {
            builder.AddCrmSilo();
        }

        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section);
        services.AddSingleton<SigningKey>();
        services.AddHostedService(sp => sp.GetRequiredService<SigningKey>());
        services.AddSingleton<SourceSecrets>();
        services.AddHostedService(sp => sp.GetRequiredService<SourceSecrets>());
        services.AddHostedService<DemoSeeder>();
        services.AddHostedService<AccountBootstrap>();
        services.AddHostedService<StartupBanner>();

        services.AddSingleton<Passwords>();
        services.AddSingleton<UserRegistration>();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<EnabledAccounts>();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>>(sp => sp.GetRequiredService<AccessTokens>());
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddAuthorization(Policies.Add);
        services.AddRateLimiter(SignInRateLimit);

        services.AddSingleton<CustomerProfiles>();
        services.AddSingleton<Interactions>();
        services.AddSingleton<CustomerFeed>();
        services.AddTenantFeeds();
        services.AddOptions<ImportOptions>().BindConfiguration(ImportOptions.Section);
        services.AddSingleton<ImportRunner>();
        services.AddSingleton<Tenants.TenantArchive>();
        services.AddSingleton<DataQuality.DataQualityScanner>();
        services.AddHostedService(sp => sp.GetRequiredService<ImportRunner>());
        services.AddSingleton<SourceAuthenticator>();
        services.AddOptions<IngestWriterOptions>().BindConfiguration(IngestWriterOptions.Section);
        services.AddSingleton<IngestWriter>();
        services.AddOptions<SourceRateLimitOptions>().BindConfiguration(SourceRateLimitOptions.Section);
        services.AddSingleton<SourceRateLimits>();
        services.AddSingleton<SourceOutcomes>();
        services.AddSingleton<HubConnections>();
        services.AddSingleton<Revocations>();
        services.AddHostedService(sp => sp.GetRequiredService<Revocations>());
        services.AddRequestDecompression();
        services.AddHostedService<WatchHeartbeat>();
        services.AddHostedService<HubAccountChecks>();
        services.AddOptions<CrmHubOptions>().BindConfiguration(CrmHubOptions.Section)
            .Validate(o => o.AccountCheckEvery > TimeSpan.Zero, $"{CrmHubOptions.Section}:AccountCheckEvery must be more than zero.").ValidateOnStart();
        services.AddSingleton<EnabledAccountHubFilter>();
        services.AddSignalR(o => o.AddFilter<EnabledAccountHubFilter>()).AddJsonProtocol(o => CrmJson.Configure(o.PayloadSerializerOptions));

        services.ConfigureHttpJsonOptions(o => CrmJson.Configure(o.SerializerOptions));
        // Body binding errors reach ApiExceptionHandler, which names the field.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<KestrelServerOptions>(o =>
            o.Limits.MaxRequestBodySize = builder.Configuration.GetValue("Crm:Limits:MaxRequestBodyBytes", DefaultMaxRequestBodyBytes));
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
            c.ProblemDetails.Extensions.TryAdd("traceId", System.Diagnostics.Activity.Current?.Id ?? c.HttpContext.TraceIdentifier));
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddOpenApi(OpenApiBearerScheme.Add);

        var health = services.AddHealthChecks()
            .AddCheck<OrleansHealthCheck>("orleans", tags: ["ready"])
            .AddCheck<IngestHealthCheck>("ingest", tags: ["ready"]);
        if (mode.Hosting.UsesPostgres)
        {
            health.AddNpgSql(name: "postgresql", tags: ["ready"]);
        }

        return builder;
    }

    private static void SignInRateLimit(RateLimiterOptions options)
    {
        options.AddPolicy(AuthEndpoints.SignInRateLimit, context =>
        {
            var limit = context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.SignInAttemptsPerMinute;
            return RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = TimeSpan.FromMinutes(1) });
        });
        options.OnRejected = async (context, cancellationToken) =>
        {
            var response = context.HttpContext.Response;
            response.StatusCode = StatusCodes.Status429TooManyRequests;
            if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
            {
                response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context.HttpContext,
                ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too many sign-in attempts. Wait a minute and try again." },
            });
        };
    }
}
