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

    /// <summary>
    /// The digits a number is found by, in the forms people type it: international (447700900141) and national with
    /// its trunk prefix (07700900141); any run of digits in either finds it, the last few included.
    /// </summary>
    public static IEnumerable<string> SearchForms(string e164)
    {
        var international = Digits(e164);
        yield return international;
        string national;
        try
        {
            national = Digits(Util.Format(Util.Parse(e164, "ZZ"), PhoneNumberFormat.NATIONAL));
        }
        catch (NumberParseException)
        {
            yield break;
        }

        if (national != international)
        {
            yield return national;
        }
    }

    /// <summary>What someone typed into a search box, as the digits of a phone number, when it is one (at least 4 digits, with only + ( ) - . and spaces beside them).</summary>
    public static string? AsSearchDigits(string text)
    {
        var digits = Digits(text);
        return digits.Length >= 4 && text.All(c => char.IsAsciiDigit(c) || c is '+' or '(' or ')' or '-' or '.' or ' ') ? digits : null;
    }

    private static string Digits(string text) => new([.. text.Where(char.IsAsciiDigit)]);

    /// <summary>ISO 3166-1 alpha-2 codes (upper case) of the regions libphonenumber knows.</summary>
    public static bool IsCountry(string code) => Regions.Contains(code);
}
