using System.Diagnostics.CodeAnalysis;
using System.Net.Mail;

namespace Crm.Customers;

/// <summary>Email addresses as the API accepts them: a bare address with a dotted domain, compared lower-cased.</summary>
public static class EmailAddresses
{
    public const int MaxLength = 254;

    public static bool TryNormalize(string? value, [NotNullWhen(true)] out string? normalized)
    {
        normalized = null;
        var candidate = value?.Trim().ToLowerInvariant();
        if (candidate is not { Length: > 0 and <= MaxLength }
            || !MailAddress.TryCreate(candidate, out var parsed)
            || parsed.Address != candidate
            || !parsed.Host.Contains('.')
            || parsed.Host.StartsWith('.') || parsed.Host.EndsWith('.'))
        {
            return false;
        }

        normalized = candidate;
        return true;
    }
}
