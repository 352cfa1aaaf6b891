using System.Diagnostics;
using System.Text;

namespace Crm.Tests.Infrastructure;

/// <summary>Crm.Web in a process of its own, as `dotnet run` starts it: so that a test can kill it without warning.</summary>
public sealed class WebProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private WebProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public Uri Address { get; }

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

    public static async Task<WebProcess> StartAsync(IReadOnlyDictionary<string, string> environment)
    {
        var output = Repository.OutputOf("Crm.Web");
        var address = new Uri($"http://127.0.0.1:{FreePorts.Next()}");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(output, "Crm.Web.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = output,
        };
        start.Environment["ASPNETCORE_URLS"] = address.ToString();
        start.Environment["Orleans__Endpoints__AdvertisedIPAddress"] = "127.0.0.1";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var web = new WebProcess(Process.Start(start) ?? throw new InvalidOperationException("Crm.Web did not start."), address);
        using var http = new HttpClient { BaseAddress = address };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode)
                {
                    return web;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline || web._process.HasExited)
            {
                web.Dispose();
                throw new TimeoutException($"Crm.Web did not become ready:\n{web.Output}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>kill -9: no shutdown, no flushing, nothing.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
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
