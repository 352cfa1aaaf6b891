using System.Net.Http.Headers;
using System.Net.Http.Json;
using Crm.Security;
using Crm.Web.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Crm.Tests.Infrastructure;

/// <summary>
/// Crm.Web as it runs for real: Kestrel on a free port, its co-hosted silo on free ports, in memory or on the
/// given PostgreSQL database. Clients talk real HTTP and real WebSockets to it.
/// </summary>
public sealed class CrmWebFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public CrmWebFactory(string? connectionString = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        _settings = new Dictionary<string, string?>
        {
            ["Orleans:Endpoints:SiloPort"] = FreePorts.Next().ToString(),
            ["Orleans:Endpoints:GatewayPort"] = FreePorts.Next().ToString(),
            ["Crm:Demo"] = "false",
            ["Crm:Auth:SignInAttemptsPerMinute"] = "100000",
        };
        if (connectionString is not null)
        {
            _settings["ConnectionStrings:crm"] = connectionString;
        }

        // A null value takes a test default away, leaving the application's own default.
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                _settings.Remove(key);
            }
            else
            {
                _settings[key] = value;
            }
        }

        UseKestrel(0);
    }

    public Uri BaseAddress => ClientOptions.BaseAddress;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    }

    /// <summary>Creates a user in the tenant (and the tenant, if new) and signs in through the API.</summary>
    public async Task<TestUser> SignInAsync(string tenant, string role = Roles.Agent, string? email = null)
    {
        StartServer();
        var registration = Services.GetRequiredService<UserRegistration>();
        await registration.EnsureTenantAsync(tenant, tenant, CancellationToken.None);
        email ??= $"{role}.{Guid.NewGuid():N}@{tenant}.test";
        const string password = "correct horse battery staple";
        var user = await registration.TryRegisterAsync(tenant, email, $"Test {role}", password, [role], CancellationToken.None)
            ?? throw new InvalidOperationException($"{email} exists already.");

        var response = await CreateClient().PostAsJsonAsync("/api/auth/token", new { username = email, password });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new TestUser(tenant, user.Id.ToString(), email, password, token, client);
    }

    /// <summary>A started SignalR connection to the hub, authenticated the way browsers do it (access_token in the query string).</summary>
    public async Task<HubConnection> ConnectHubAsync(string? token, Action<IHubConnectionBuilder>? configure = null)
    {
        StartServer();
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(BaseAddress, "/hubs/crm"), o => o.AccessTokenProvider = () => Task.FromResult(token));
        configure?.Invoke(builder);
        var connection = builder.Build();
        await connection.StartAsync();
        return connection;
    }

    private sealed record TokenResponse(string AccessToken);
}

public sealed record TestUser(string Tenant, string Id, string Email, string Password, string Token, HttpClient Client);
