using System.Diagnostics;
using System.Text;

namespace Crm.Tests.Infrastructure;

/// <summary>The Crm.Silo executable in a process of its own, as a cluster deployment runs it.</summary>
public sealed class SiloProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SiloProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static SiloProcess Start(string connectionString, string clusterId)
    {
        var output = Repository.OutputOf("Crm.Silo");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(output, "Crm.Silo.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = output,
        };
        start.Environment["ConnectionStrings__crm"] = connectionString;
        start.Environment["Orleans__ClusterId"] = clusterId;
        start.Environment["Orleans__ServiceId"] = clusterId;
        start.Environment["Orleans__Endpoints__AdvertisedIPAddress"] = "127.0.0.1";
        start.Environment["Orleans__Endpoints__SiloPort"] = FreePorts.Next().ToString();
        start.Environment["Orleans__Endpoints__GatewayPort"] = FreePorts.Next().ToString();
        return new SiloProcess(Process.Start(start) ?? throw new InvalidOperationException("Crm.Silo did not start."));
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
