using System.Diagnostics.CodeAnalysis;
using PhoneNumbers;

namespace Crm.Customers;

/// <summary>Phone numbers and countries as Google's libphonenumber knows them.</summary>
public static class TelephoneNumbers
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();
    private static readonly HashSet<string> Regions = [.. Util.GetSupportedRegions()];

    /// <summary>Parses a number as people write it, in the customer's country unless it starts with +; yields E.164.</summary>
    public static bool TryNormalize(string value, string? country, [NotNullWhen(true)] out string? e164)
    {
        e164 = null;
        try
        {
            var number = Util.Parse(value, country ?? "ZZ");
            if (!Util.IsValidNumber(number))
            {
                return false;
            }

            e164 = Util.Format(number, PhoneNumberFormat.E164);
            return true;
        }
        catch (NumberParseException)
        {
            return false;
        }
    }

    /// <summary>ISO 3166-1 alpha-2 codes (upper case) of the regions libphonenumber knows.</summary>
    public static bool IsCountry(string code) => Regions.Contains(code);
}
