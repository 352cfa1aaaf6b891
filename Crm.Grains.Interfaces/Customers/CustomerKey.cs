using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Crm.Customers;

/// <summary>
/// A customer's identity: the tenant it belongs to and its id within that tenant.
/// Its string form "{tenant}/{customerId}" keys the customer's grain, stream and rows, which is what keeps tenants apart.
/// </summary>
public readonly partial record struct CustomerKey
{
    public CustomerKey(string tenantId, string customerId)
    {
        if (!IsValidTenantId(tenantId)) throw new ArgumentException($"'{tenantId}' is not a valid tenant id.", nameof(tenantId));
        if (!IsValidCustomerId(customerId)) throw new ArgumentException($"'{customerId}' is not a valid customer id.", nameof(customerId));
        TenantId = tenantId;
        CustomerId = customerId;
    }

    public string TenantId { get; }

    public string CustomerId { get; }

    public override string ToString() => $"{TenantId}/{CustomerId}";

    public static CustomerKey Parse(string key) =>
        TryParse(key, out var parsed) ? parsed : throw new FormatException($"'{key}' is not a customer key.");

    public static bool TryParse(string? key, out CustomerKey parsed)
    {
        parsed = default;
        var slash = key?.IndexOf('/') ?? -1;
        if (slash < 0) return false;
        var tenant = key![..slash];
        var customer = key[(slash + 1)..];
        if (!IsValidTenantId(tenant) || !IsValidCustomerId(customer)) return false;
        parsed = new CustomerKey(tenant, customer);
        return true;
    }

    public static bool IsValidTenantId([NotNullWhen(true)] string? tenantId) => tenantId is not null && TenantIdPattern().IsMatch(tenantId);

    public static bool IsValidCustomerId([NotNullWhen(true)] string? customerId) => customerId is not null && CustomerIdPattern().IsMatch(customerId);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex TenantIdPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex CustomerIdPattern();
}
