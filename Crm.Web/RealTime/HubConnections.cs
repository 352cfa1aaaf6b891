using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using Crm.Web.Security;
using Microsoft.AspNetCore.SignalR;

namespace Crm.Web.RealTime;

/// <summary>
/// The hub connections open on this node, by user: a connection closes when its access token expires, and every
/// connection of a user closes the moment the user is disabled (on any node: see <see cref="Revocations"/>; should
/// that message be lost, see <see cref="HubAccountChecks"/>).
/// </summary>
public sealed class HubConnections(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Open> _open = new();

    /// <summary>Keeps the connection until it closes, and closes it when its token expires.</summary>
    public void Opened(HubCallerContext connection)
    {
        var user = connection.User!;
        var expiresAt = long.TryParse(user.FindFirstValue("exp"), NumberStyles.None, CultureInfo.InvariantCulture, out var exp)
            ? DateTimeOffset.FromUnixTimeSeconds(Math.Min(exp, DateTimeOffset.MaxValue.ToUnixTimeSeconds()))
            : time.GetUtcNow();
        var due = expiresAt - time.GetUtcNow();
        var expiry = time.CreateTimer(_ => connection.Abort(), null, due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        _open[connection.ConnectionId] = new Open(connection, user.TenantId(), Guid.TryParse(user.FindFirstValue(CrmClaims.UserId), out var id) ? id : Guid.Empty, expiry);
    }

    public void Closed(string connectionId)
    {
        if (_open.TryRemove(connectionId, out var open))
        {
            open.Expiry.Dispose();
        }
    }

    /// <summary>The users with a connection open on this node.</summary>
    public IReadOnlyCollection<(string TenantId, Guid UserId)> Users() => [.. _open.Values.Select(o => (o.TenantId, o.UserId)).Distinct()];

    /// <summary>Closes every connection of the user on this node.</summary>
    public void Close(string tenantId, Guid userId)
    {
        foreach (var open in _open.Values.Where(o => o.TenantId == tenantId && o.UserId == userId))
        {
            open.Connection.Abort();
        }
    }

    private sealed record Open(HubCallerContext Connection, string TenantId, Guid UserId, ITimer Expiry);
}
