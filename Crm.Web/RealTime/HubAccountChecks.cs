using Crm.Security;
using Crm.Web.Security;
using Microsoft.Extensions.Options;

namespace Crm.Web.RealTime;

/// <summary>
/// Reads the account of every user with a connection open on this node again, every
/// <see cref="CrmHubOptions.AccountCheckEvery"/>, from the account store rather than the cache: a revocation message
/// lost on its way to this node closes a disabled user's connections then, instead of never.
/// </summary>
internal sealed partial class HubAccountChecks(
    HubConnections connections,
    IAccountStore accounts,
    EnabledAccounts enabled,
    IOptions<CrmHubOptions> options,
    TimeProvider time,
    ILogger<HubAccountChecks> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.AccountCheckEvery, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var (tenantId, userId) in connections.Users())
            {
                try
                {
                    if (await accounts.FindUserAsync(tenantId, userId, stoppingToken) is not { IsDisabled: false })
                    {
                        LogClosing(tenantId, userId);
                        enabled.Forget(tenantId, userId);
                        connections.Close(tenantId, userId);
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // The store is away: the next round asks again (revocations and token expiry still close
                    // connections meanwhile), rather than every user of this round waiting for a timeout in turn.
                    LogCheckFailed(ex, tenantId, userId);
                    break;
                }
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "User {UserId} of tenant {TenantId} is disabled or gone but still had live connections here (a revocation did not arrive); closing them")]
    private partial void LogClosing(string tenantId, Guid userId);

    [LoggerMessage(LogLevel.Warning, "Checking the account of user {UserId} of tenant {TenantId} failed; this round stops, the next checks every connected user again")]
    private partial void LogCheckFailed(Exception exception, string tenantId, Guid userId);
}
