using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Crm.Benchmarks;

/// <summary>Crm.Web (Release build) on PostgreSQL in a process of its own, as a node runs it, with an admin and a source.</summary>
public sealed class WebNode : IAsyncDisposable
{
    private const string AdminPassword = "benchmark password";
    private const string NodeVariablePrefix = "CRM_BENCH_NODE_";
    private readonly Process _process;

    private WebNode(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public int ProcessId => _process.Id;

    public string AdminToken { get; private set; } = "";

    public string WriteKey { get; private set; } = "";

    /// <param name="settings">Configuration on top of the defaults, as environment variables (e.g. Crm__Ingest__RateLimit__EventsPerSecond).</param>
    /// <param name="tenant">The tenant the node creates (if it does not exist) with its admin and a source.</param>
    public static async Task<WebNode> StartAsync(string connectionString, IReadOnlyDictionary<string, string>? settings = null, string tenant = "bench")
    {
        // Emails sign in across tenants: one admin email per tenant.
        var adminEmail = $"admin@{tenant}.crm.test";
        var output = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory.Replace("Crm.Benchmarks", "Crm.Web")));
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(output, "Crm.Web.dll")]) { WorkingDirectory = output, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ASPNETCORE_URLS"] = address.ToString();
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["ConnectionStrings__crm"] = connectionString;
        start.Environment["Orleans__Endpoints__AdvertisedIPAddress"] = "127.0.0.1";
        start.Environment["Orleans__Endpoints__SiloPort"] = FreePort().ToString();
        start.Environment["Orleans__Endpoints__GatewayPort"] = FreePort().ToString();
        start.Environment["Crm__Bootstrap__Tenant"] = tenant;
        start.Environment["Crm__Bootstrap__AdminEmail"] = adminEmail;
        start.Environment["Crm__Bootstrap__AdminPassword"] = AdminPassword;
        if (Environment.GetEnvironmentVariable("DOTNET_PerfMapEnabled") == "1")
        {
            // For perf record: managed frames named through /tmp/perf-PID.map.
            start.Environment["DOTNET_PerfMapEnabled"] = "1";
            start.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        }
        // Runtime knobs to try on the node alone, e.g. CRM_BENCH_NODE_DOTNET_gcServer=0.
        foreach (var variable in Environment.GetEnvironmentVariables().Keys.OfType<string>().Where(k => k.StartsWith(NodeVariablePrefix, StringComparison.Ordinal)))
        {
            start.Environment[variable[NodeVariablePrefix.Length..]] = Environment.GetEnvironmentVariable(variable);
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Crm.Web did not start.");
        var lastLines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var node = new WebNode(process, address);

        using var http = node.Client();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException) when (attempt < 300 && !process.HasExited)
            {
            }
            catch (HttpRequestException ex)
            {
                var exited = process.HasExited ? $"exited with {process.ExitCode}" : "is not answering";
                throw new InvalidOperationException($"Crm.Web {exited}:\n{string.Join('\n', lastLines)}", ex);
            }

            await Task.Delay(200);
        }

        var token = await (await http.PostAsJsonAsync("/api/auth/token", new { username = adminEmail, password = AdminPassword })).Content.ReadFromJsonAsync<JsonElement>();
        node.AdminToken = token.GetProperty("accessToken").GetString()!;
        using var admin = node.Client(node.AdminToken);
        var source = await (await admin.PostAsJsonAsync("/api/sources", new { name = "Benchmark" })).Content.ReadFromJsonAsync<JsonElement>();
        node.WriteKey = source.GetProperty("writeKey").GetString()!;
        return node;

        void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            lastLines.Enqueue(line);
            while (lastLines.Count > 40)
            {
                lastLines.TryDequeue(out _);
            }
        }
    }

    public HttpClient Client(string? bearer = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }

    /// <summary>A client that sends with a source's write key (this node's source unless named), as Segment's libraries do.</summary>
    public HttpClient SourceClient(string? writeKey = null)
    {
        var client = Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{writeKey ?? WriteKey}:")));
        return client;
    }

    /// <summary>Stops the node as an orchestrator does (SIGTERM), so that its silo leaves the cluster and the next node does not wait for it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var terminate = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await terminate.WaitForExitAsync();
            }

            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
