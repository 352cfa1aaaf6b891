using Crm.Customers;
using Crm.Security;
using Crm.Web.Api;

namespace Crm.Web.Security;

/// <summary>
/// Creates the first tenant and its admin from configuration (Crm:Bootstrap:Tenant, AdminEmail, AdminPassword),
/// unless they exist. There is no built-in account: without this configuration a new database has no way in,
/// and the log says so.
/// </summary>
internal sealed partial class AccountBootstrap(IConfiguration configuration, UserRegistration registration, IAccountStore accounts, ILogger<AccountBootstrap> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var section = configuration.GetSection("Crm:Bootstrap");
        var tenant = section["Tenant"];
        var email = section["AdminEmail"];
        var password = section["AdminPassword"];
        if (tenant is null && email is null && password is null)
        {
            if (!await accounts.AnyTenantAsync(cancellationToken))
            {
                LogNoTenant();
            }

            return;
        }

        if (!CustomerKey.IsValidTenantId(tenant))
        {
            throw new InvalidOperationException("Crm:Bootstrap:Tenant must be 1 to 63 lower-case letters, digits or '-', starting with a letter or digit.");
        }

        if (!EmailAddresses.TryNormalize(email, out var adminEmail))
        {
            throw new InvalidOperationException("Crm:Bootstrap:AdminEmail must be an email address.");
        }

        if (password is null || password.Length < Passwords.MinimumLength)
        {
            throw new InvalidOperationException($"Crm:Bootstrap:AdminPassword must be at least {Passwords.MinimumLength} characters.");
        }

        await registration.EnsureTenantAsync(tenant, section["TenantName"] ?? tenant, cancellationToken);
        var admin = await registration.TryRegisterAsync(tenant, adminEmail, section["AdminName"] ?? "Administrator", password, [Roles.Admin], cancellationToken);
        if (admin is not null)
        {
            LogCreatedAdmin(tenant, adminEmail);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "Created tenant {TenantId} with admin {Email}")]
    private partial void LogCreatedAdmin(string tenantId, string email);

    [LoggerMessage(LogLevel.Warning, "No tenant exists and nobody can sign in: set Crm__Bootstrap__Tenant, Crm__Bootstrap__AdminEmail and Crm__Bootstrap__AdminPassword to create the first one.")]
    private partial void LogNoTenant();
}
