using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Crm.Customers;

/// <summary>
/// Countries as people write them, to their ISO 3166-1 alpha-2 code: the code itself, the alpha-3 code, or the name in
/// English or in the country's own languages ("Deutschland", "España", "Schweiz", "Suisse"), without regard to case
/// or accents, and a few names everyone uses ("UK", "USA").
/// </summary>
public static class Countries
{
    private static readonly Dictionary<string, string> Names = Build();

    public static bool TryNormalize(string? value, [NotNullWhen(true)] out string? code)
    {
        code = value is null ? null : Names.GetValueOrDefault(Key(value));
        return code is not null;
    }

    private static Dictionary<string, string> Build()
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string name, string code) => names.TryAdd(Key(name), code);
        foreach (var culture in CultureInfo.GetCultures(CultureTypes.SpecificCultures))
        {
            RegionInfo region;
            try
            {
                region = new RegionInfo(culture.Name);
            }
            catch (ArgumentException)
            {
                continue;
            }

            var code = region.TwoLetterISORegionName;
            if (code.Length != 2 || !char.IsLetter(code[0]) || !TelephoneNumbers.IsCountry(code))
            {
                continue;
            }

            Add(code, code);
            Add(region.ThreeLetterISORegionName, code);
            Add(region.EnglishName, code);
            Add(region.NativeName, code);
        }

        foreach (var code in new[] { "GB", "US" }.Where(TelephoneNumbers.IsCountry))
        {
            Add(code, code);
        }

        foreach (var (alias, code) in new[]
        {
            ("UK", "GB"), ("Great Britain", "GB"), ("England", "GB"), ("Scotland", "GB"), ("Wales", "GB"), ("Northern Ireland", "GB"),
            ("USA", "US"), ("United States of America", "US"), ("America", "US"), ("Holland", "NL"), ("The Netherlands", "NL"),
        })
        {
            Add(alias, code);
        }

        return names;
    }

    private static string Key(string value)
    {
        var decomposed = value.Trim().ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var key = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                key.Append(c);
            }
        }

        return key.ToString();
    }
}
