using System.Security.Claims;
using Crm.Web.Security;
using Microsoft.AspNetCore.SignalR;

namespace Crm.Web.RealTime;

/// <summary>
/// Every hub call checks that the caller's account is still enabled, as every HTTP request does: a connection opened
/// before its user was disabled can do nothing more, even before it is closed.
/// </summary>
internal sealed class EnabledAccountHubFilter(EnabledAccounts accounts) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var user = invocation.Context.User!;
        if (!Guid.TryParse(user.FindFirstValue(CrmClaims.UserId), out var userId)
            || !await accounts.IsEnabledAsync(user.TenantId(), userId, invocation.Context.ConnectionAborted))
        {
            invocation.Context.Abort();
            throw new HubException("The account is disabled.");
        }

        return await next(invocation);
    }
}
