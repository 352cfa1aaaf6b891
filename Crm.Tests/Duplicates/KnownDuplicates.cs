using System.Net.Http.Json;
using System.Text.Json;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Duplicates;

/// <summary>
/// Customers with known duplicates among them, the way they arrive in a real CRM: typed twice by different agents,
/// imported from two systems, reformatted. Records of one person share a label; everyone else is someone else, and
/// some of them (households, namesakes, colleagues) look alike on purpose.
/// </summary>
public static class KnownDuplicates
{
    public static readonly IReadOnlyList<(string Person, object Profile)> People =
    [
        ("ada", new { givenName = "Ada", familyName = "Lovelace", emails = new[] { "ada@analytical.example" } }),
        ("ada", new { displayName = "Ada Lovelace", emails = new[] { "ADA@Analytical.Example" }, company = "Analytical Engines" }),

        // Typos in both names, the phone as typed nationally.
        ("jonathan", new { givenName = "Jonathan", familyName = "Smyth", phones = new[] { "+44 7911 123456" }, country = "GB" }),
        ("jonathan", new { givenName = "Jonathon", familyName = "Smith", phones = new[] { "07911 123456" }, country = "GB" }),

        // Given and family names swapped, the address abbreviated and the postcode written without its space.
        ("wei", new { givenName = "Wei", familyName = "Zhang", address = new { line1 = "5 Riverside Road", city = "Cambridge", postalCode = "CB2 1TN" } }),
        ("wei", new { givenName = "Zhang", familyName = "Wei", address = new { line1 = "5 Riverside Rd.", city = "Cambridge", postalCode = "cb21tn" } }),

        // A nickname, and nothing shared but the postcode and the employer.
        ("robert", new { givenName = "Robert", familyName = "Johnson", emails = new[] { "robert.johnson@initech.example" }, company = "Initech Ltd", address = new { postalCode = "M1 1AE" } }),
        ("robert", new { givenName = "Bob", familyName = "Johnson", company = "Initech", address = new { postalCode = "M1 1AE" } }),

        // Accents on one side, and one record with a phone only.
        ("maria", new { givenName = "María", familyName = "García", phones = new[] { "+34 91 123 45 67" }, country = "ES" }),
        ("maria", new { givenName = "Maria", familyName = "Garcia", emails = new[] { "maria.garcia@correo.example" }, phones = new[] { "911 23 45 67" }, country = "ES" }),

        // Letters transposed, the company's legal form dropped.
        ("catherine", new { givenName = "Catherine", familyName = "Zeta", company = "Globex Corporation", address = new { postalCode = "EH1 1YZ" } }),
        ("catherine", new { givenName = "Cahterine", familyName = "Zeta", company = "Globex", address = new { postalCode = "EH1 1YZ" } }),

        // The name written another way round, the same mobile in two formats.
        ("ming", new { givenName = "Ming", familyName = "Li", phones = new[] { "+44 7911 123999" } }),
        ("ming", new { displayName = "Li, Ming", phones = new[] { "07911123999" }, country = "GB", emails = new[] { "ming@li.example" } }),

        // Day and month of the date of birth swapped, the street abbreviated.
        ("liam", new { givenName = "Liam", familyName = "O'Brien", address = new { line1 = "14 Grafton Street", postalCode = "D02 X285" }, attributes = new { dateOfBirth = "1990-04-03" } }),
        ("liam", new { givenName = "Liam", familyName = "OBrien", address = new { line1 = "14 Grafton St", postalCode = "D02X285" }, attributes = new { dateOfBirth = "1990-03-04" } }),

        // An initial for the given name.
        ("john-doe", new { givenName = "J.", familyName = "Doe", emails = new[] { "jdoe@example.org" } }),
        ("john-doe", new { givenName = "John", familyName = "Doe", emails = new[] { "jdoe@example.org" }, company = "Doe & Sons" }),

        // Three records of one person: all three pairs are duplicates.
        ("priya", new { givenName = "Priya", familyName = "Patel", phones = new[] { "+44 20 7946 0018" }, country = "GB" }),
        ("priya", new { givenName = "Priya", familyName = "Patel", phones = new[] { "020 7946 0018" }, country = "GB", emails = new[] { "priya@patel.example" } }),
        ("priya", new { displayName = "Priya Patel", emails = new[] { "priya@patel.example" } }),

        // A household: one landline, one address, two people.
        ("peter-parker", new { givenName = "Peter", familyName = "Parker", phones = new[] { "+44 20 7946 0999" }, country = "GB", address = new { line1 = "20 Ingram Street", postalCode = "SW1A 2AA" } }),
        ("may-parker", new { givenName = "May", familyName = "Parker", phones = new[] { "+44 20 7946 0999" }, country = "GB", address = new { line1 = "20 Ingram Street", postalCode = "SW1A 2AA" } }),

        // A family sharing one email address.
        ("sam-taylor", new { givenName = "Sam", familyName = "Taylor", emails = new[] { "family@taylor.example" } }),
        ("alex-taylor", new { givenName = "Alex", familyName = "Taylor", emails = new[] { "family@taylor.example" } }),

        // Namesakes: same name, nothing else in common.
        ("john-smith-london", new { givenName = "John", familyName = "Smith", emails = new[] { "john.smith@alpha.example" }, address = new { city = "London" } }),
        ("john-smith-leeds", new { givenName = "John", familyName = "Smith", emails = new[] { "john.smith@beta.example" }, address = new { city = "Leeds" } }),

        // Alike names, different people.
        ("jon-snow", new { givenName = "Jon", familyName = "Snow", emails = new[] { "jon@snow.example" } }),
        ("john-snowden", new { givenName = "John", familyName = "Snowden", emails = new[] { "john@snowden.example" } }),

        // Colleagues at one company.
        ("alice-wong", new { givenName = "Alice", familyName = "Wong", company = "Initech" }),
        ("bob-stone", new { givenName = "Bob", familyName = "Stone", company = "Initech" }),
    ];

    /// <summary>Creates the customers in the tenant; their ids by position in <see cref="People"/>.</summary>
    public static async Task<IReadOnlyList<string>> CreateAsync(TestUser user)
    {
        var ids = new List<string>();
        foreach (var (person, profile) in People)
        {
            var created = await user.Client.PostAsJsonAsync("/api/customers", profile);
            Assert.True(created.IsSuccessStatusCode, $"{person} #{ids.Count}: {await created.Content.ReadAsStringAsync()}");
            ids.Add((await created.ReadJsonAsync()).GetProperty("id").GetString()!);
        }

        return ids;
    }

    /// <summary>Every pair of records of one person.</summary>
    public static IReadOnlySet<(string, string)> TruePairs(IReadOnlyList<string> ids) =>
        (from i in Enumerable.Range(0, ids.Count)
         from j in Enumerable.Range(0, ids.Count)
         where i < j && People[i].Person == People[j].Person
         select Pair(ids[i], ids[j])).ToHashSet();

    public static (string, string) Pair(string a, string b) => string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);

    /// <summary>Rescans the tenant once every customer is in the list, and reads the whole queue at <paramref name="minScore"/> when the scan is done.</summary>
    public static async Task<IReadOnlyList<JsonElement>> ScanAsync(TestUser user, int customers, double minScore = 0.5)
    {
        await Eventually.ReturnsAsync(
            async () => (await (await user.Client.GetAsync("/api/customers?limit=100")).ReadJsonAsync()).GetProperty("items").GetArrayLength(),
            count => count == customers);
        var started = (await (await user.Client.PostAsync("/api/duplicates/scan", null)).ReadJsonAsync()).GetProperty("startedAt").GetDateTimeOffset();
        await Eventually.ReturnsAsync(
            async () => await (await user.Client.GetAsync("/api/duplicates/scan")).ReadJsonAsync(),
            scan => scan.GetProperty("status").GetString() == "completed" && scan.GetProperty("startedAt").GetDateTimeOffset() >= started
                && scan.GetProperty("pendingChanges").GetInt64() == 0,
            TimeSpan.FromSeconds(30));
        return await ListAsync(user, minScore);
    }

    /// <summary>Every page of the queue.</summary>
    public static async Task<IReadOnlyList<JsonElement>> ListAsync(TestUser user, double minScore = 0.5, int limit = 4)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var url = FormattableString.Invariant($"/api/duplicates?minScore={minScore}&limit={limit}") + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var response = await user.Client.GetAsync(url);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            var page = await response.ReadJsonAsync();
            items.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
        }
        while (cursor is not null);

        return items;
    }

    public static (string, string) Ids(JsonElement item)
    {
        var ids = item.GetProperty("customerIds");
        return Pair(ids[0].GetString()!, ids[1].GetString()!);
    }
}
