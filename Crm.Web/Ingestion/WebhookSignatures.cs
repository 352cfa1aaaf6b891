using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Crm.Web.Ingestion;

/// <summary>
/// Webhook signatures: header "Crm-Signature: t={unix seconds},v1={hex HMAC-SHA256 of "{t}.{body}" with the
/// source's signing secret}". The time is signed too, and old signatures are refused, so a captured request cannot
/// be replayed later.
/// </summary>
public static class WebhookSignatures
{
    public const string Header = "Crm-Signature";
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static string Sign(string signingSecret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var signed = Encoding.UTF8.GetBytes($"{unixSeconds.ToString(CultureInfo.InvariantCulture)}.").Concat(body.ToArray()).ToArray();
        return $"t={unixSeconds.ToString(CultureInfo.InvariantCulture)},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingSecret), signed))}";
    }

    /// <returns>Null when the signature holds, else why not.</returns>
    public static string? Check(string? header, string signingSecret, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        var parts = (header ?? "").Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("t", out var t) || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var unixSeconds) || !parts.ContainsKey("v1"))
        {
            return $"The {Header} header is missing or not of the form t=…,v1=….";
        }

        if ((now - DateTimeOffset.FromUnixTimeSeconds(unixSeconds)).Duration() > Tolerance)
        {
            return $"The signature's time is more than {Tolerance.TotalMinutes:0} minutes from now: a replay, or a wrong clock.";
        }

        var expected = Encoding.ASCII.GetBytes(Sign(signingSecret, unixSeconds, body).Split("v1=")[1]);
        var given = Encoding.ASCII.GetBytes(parts["v1"]);
        return CryptographicOperations.FixedTimeEquals(expected, given) ? null : "The signature does not match the body.";
    }
}
