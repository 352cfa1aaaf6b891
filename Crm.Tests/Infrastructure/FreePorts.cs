using System.Net;
using System.Net.Sockets;

namespace Crm.Tests.Infrastructure;

public static class FreePorts
{
    /// <summary>A loopback port nobody listens on right now, for co-hosted silos that run side by side.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
