using Crm.Web.Demo;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Crm.Web.Hosting;

/// <summary>Tells whoever started the process where it listens, how to sign in, and whether data is kept.</summary>
internal sealed partial class StartupBanner(IServer server, IHostApplicationLifetime lifetime, CrmMode mode, ILogger<StartupBanner> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var urls = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            LogListening(string.Join(", ", urls), mode.ClientOnly ? "cluster client" : "co-hosted silo");
            if (mode.Embedded)
            {
                LogEmbedded();
            }

            if (mode.SeedDemo && mode.Embedded)
            {
                LogDemoSignIn(string.Join(", ", DemoSeed.Users.Select(u => u.Email)), DemoSeed.EmbeddedPassword);
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "Crm.Orleans is listening on {Urls} ({Role}). API description: /openapi/v1.json")]
    private partial void LogListening(string urls, string role);

    [LoggerMessage(LogLevel.Warning, "EMBEDDED MODE: everything is kept in memory and is lost when this process stops. Set ConnectionStrings__crm to a PostgreSQL database to keep it.")]
    private partial void LogEmbedded();

    [LoggerMessage(LogLevel.Information, "Demo tenant 'demo': sign in as {Users} with password '{Password}'")]
    private partial void LogDemoSignIn(string users, string password);
}
