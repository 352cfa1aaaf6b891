using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Crm.Web.Ingestion;

/// <summary>
/// Webhook signatures: header "Crm-Signature: t={unix seconds},v1={hex HMAC-SHA256 of "{t}.{body}" with the
/// source's signing secret}". The time is signed too, and old signatures are refused, so a captured request cannot
/// be replayed later. Several v1 parts may be sent (one per secret while a secret is being replaced); one t.
/// </summary>
public static class WebhookSignatures
{
    public const string Header = "Crm-Signature";
    public const string Format = "t={unix seconds},v1={hex HMAC-SHA256 of \"{t}.{body}\" with the source's signing secret}";
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private const int MaxHeaderLength = 1024;
    private const int MaxSignatures = 4;

    public static string Sign(string signingSecret, long unixSeconds, ReadOnlySpan<byte> body) =>
        $"t={unixSeconds.ToString(CultureInfo.InvariantCulture)},v1={Convert.ToHexStringLower(Mac(signingSecret, unixSeconds, body))}";

    /// <returns>Null when the signature holds, else why not (for the source's debugger, not for the sender).</returns>
    public static string? Check(string? header, string signingSecret, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (header is null || header.Length > MaxHeaderLength)
        {
            return $"The {Header} header is missing or longer than {MaxHeaderLength} characters.";
        }

        long? time = null;
        var signatures = new List<byte[]>();
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = part.IndexOf('=') is > 0 and var equals ? (part[..equals], part[(equals + 1)..]) : (part, "");
            switch (name)
            {
                case "t" when time is not null:
                    return $"The {Header} header has more than one t.";
                case "t" when value.Length is > 0 and <= 12 && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds):
                    time = seconds;
                    break;
                case "t":
                    return $"The {Header} header's t is not a time in unix seconds.";
                case "v1" when signatures.Count < MaxSignatures && value.Length == 64 && IsHex(value):
                    signatures.Add(Convert.FromHexString(value));
                    break;
                case "v1":
                    return $"The {Header} header's v1 is not a hex HMAC-SHA256, or there are more than {MaxSignatures}.";
            }
        }

        if (time is not { } unixSeconds || signatures.Count == 0)
        {
            return $"The {Header} header is not of the form {Format}.";
        }

        if (Math.Abs(now.ToUnixTimeSeconds() - unixSeconds) > Tolerance.TotalSeconds)
        {
            return $"The signature's time is more than {Tolerance.TotalMinutes:0} minutes from now: a replay, or a wrong clock.";
        }

        var expected = Mac(signingSecret, unixSeconds, body);
        return signatures.Any(s => CryptographicOperations.FixedTimeEquals(expected, s)) ? null : "The signature does not match the body.";
    }

    private static byte[] Mac(string signingSecret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{unixSeconds.ToString(CultureInfo.InvariantCulture)}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingSecret), signed);
    }

    private static bool IsHex(string value) => value.All(char.IsAsciiHexDigit);
}
