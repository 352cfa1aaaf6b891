using System.Net;
using System.Net.Sockets;
using Crm.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Crm.Benchmarks;

/// <summary>A silo configured exactly as Crm.Web and Crm.Silo configure theirs, in this process.</summary>
public static class BenchmarkSilo
{
    public static async Task<IHost> StartAsync(string? connectionString)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{CrmHostingOptions.ConnectionStringName}"] = connectionString,
            ["Orleans:Endpoints:SiloPort"] = FreePort().ToString(),
            ["Orleans:Endpoints:GatewayPort"] = FreePort().ToString(),
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddCrmSilo();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
