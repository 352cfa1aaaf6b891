using System.Collections.Immutable;
using System.Diagnostics;
using Crm.Customers;
using Crm.Duplicates;
using Npgsql;

namespace Crm.Benchmarks;

/// <summary>
/// A full duplicate scan of one tenant's million customers in PostgreSQL, round after round as the tenant's duplicates
/// grain runs it (<see cref="DuplicateCheck"/>, <see cref="DuplicateCheck.ScanPerRound"/> customers a round), without
/// the pause the grain leaves between rounds for live traffic. The customers are written through
/// <see cref="PostgresCustomerDirectory"/>, as the grains write them, so that their blocking keys are the product's;
/// one in twenty has a planted duplicate (a typo in the given name, the phone as the other record has it, no email).
/// Baseline, same run: paging through the tenant's ids alone, which every scan does.
/// </summary>
public static class DuplicateDetection
{
    private const string Tenant = "bench-dedupe";
    private const int PlantEvery = 20;

    private static readonly string[] Given =
    [
        "james", "mary", "robert", "patricia", "john", "jennifer", "michael", "linda", "david", "elizabeth", "william", "barbara",
        "richard", "susan", "joseph", "jessica", "thomas", "sarah", "charles", "karen", "christopher", "lisa", "daniel", "nancy",
        "matthew", "betty", "anthony", "margaret", "mark", "sandra", "donald", "ashley", "steven", "kimberly", "paul", "emily",
        "andrew", "donna", "joshua", "michelle", "kenneth", "carol", "kevin", "amanda", "brian", "dorothy", "george", "melissa",
        "timothy", "deborah", "oliver", "amelia", "harry", "isla", "jack", "ava", "noah", "mia", "leo", "ivy", "arthur", "freya",
        "priya", "wei", "ming", "aisha", "omar", "fatima", "yusuf", "sofia", "lucas", "chloe", "mateo", "elena", "hugo", "ines",
    ];

    private static readonly string[] Family =
    [
        "smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez", "martinez", "hernandez",
        "lopez", "gonzalez", "wilson", "anderson", "thomas", "taylor", "moore", "jackson", "martin", "lee", "perez", "thompson",
        "white", "harris", "sanchez", "clark", "ramirez", "lewis", "robinson", "walker", "young", "allen", "king", "wright",
        "scott", "torres", "nguyen", "hill", "flores", "green", "adams", "nelson", "baker", "hall", "rivera", "campbell",
        "mitchell", "carter", "roberts", "patel", "khan", "singh", "chen", "wang", "zhang", "li", "liu", "murphy", "kelly",
        "obrien", "walsh", "byrne", "ryan", "evans", "hughes", "edwards", "morgan", "cooper", "ward", "price", "bennett",
    ];

    public static int GivenNames => Given.Length;

    public static IReadOnlyList<string> AllGivenNames => Given;

    public static IReadOnlyList<string> AllFamilyNames => Family;

    public static string GivenName(int index) => Given[index % Given.Length];

    public static string FamilyName(int index) => Family[index % Family.Length];

    public static int FamilyNames => Family.Length;

    public sealed record Result(
        int Customers, int Planted, double FillSeconds, double ScanSeconds, int Rounds, double RoundP50Ms, double RoundP95Ms,
        long PairsKept, int PlantedFound, long WorkingSetBeforeBytes, long PeakWorkingSetBytes, long PeakHeapBytes, double BaselineSeconds)
    {
        public double Recall => (double)PlantedFound / Planted;
    }

    public static async Task<Result> RunAsync(string connectionString, int customers)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var fill = Stopwatch.StartNew();
        var planted = await FillAsync(dataSource, customers);
        fill.Stop();
        Console.WriteLine($"Customers: {customers:N0} with {planted.Count:N0} planted duplicates in {fill.Elapsed.TotalSeconds:0.0} s");

        var store = new PostgresDuplicateStore(dataSource);
        var baseline = Stopwatch.StartNew();
        for (var ids = await store.CustomerIdsAsync(Tenant, null, DuplicateCheck.ScanPerRound); ids.Count > 0; ids = await store.CustomerIdsAsync(Tenant, ids[^1], DuplicateCheck.ScanPerRound))
        {
        }

        baseline.Stop();

        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var before = process.WorkingSet64;
        var (peakWorkingSet, peakHeap) = (before, GC.GetTotalMemory(false));
        var rounds = new List<double>();
        var (kept, plantedFound) = (0L, 0);
        var scan = Stopwatch.StartNew();
        string? after = null;
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            var ids = await store.CustomerIdsAsync(Tenant, after, DuplicateCheck.ScanPerRound);
            if (ids.Count == 0)
            {
                break;
            }

            var found = await DuplicateCheck.RunAsync(store, Tenant, ids, laterOnly: true, DuplicateSettings.Default, DateTimeOffset.UtcNow);
            rounds.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            kept += found.Count;
            plantedFound += found.Count(f => planted.Contains((f.Pair.FirstId, f.Pair.SecondId)));
            after = ids[^1];
            process.Refresh();
            peakWorkingSet = Math.Max(peakWorkingSet, process.WorkingSet64);
            peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false));
        }

        scan.Stop();
        rounds.Sort();
        var result = new Result(customers, planted.Count, fill.Elapsed.TotalSeconds, scan.Elapsed.TotalSeconds, rounds.Count,
            Percentiles.Of(rounds, 50), Percentiles.Of(rounds, 95), kept, plantedFound, before, peakWorkingSet, peakHeap, baseline.Elapsed.TotalSeconds);
        Console.WriteLine(result);
        return result;
    }

    /// <summary>Writes the customers as grains would; the planted pairs by (first id, second id) as the queue orders them.</summary>
    private static async Task<HashSet<(string, string)>> FillAsync(NpgsqlDataSource dataSource, int customers)
    {
        await using var directory = new PostgresCustomerDirectory(dataSource);
        var random = new Random(11);
        var planted = new HashSet<(string, string)>();
        var now = DateTimeOffset.UtcNow;
        var pending = new List<Task>();
        var written = 0;
        for (var i = 0; written < customers; i++)
        {
            var (given, family) = (Given[random.Next(Given.Length)], Family[random.Next(Family.Length)]);
            var phone = $"+4479{i:D8}";
            var postcode = $"PC{random.Next(50_000):D5}";
            var id = $"c{i:D7}a";
            pending.Add(directory.UpsertAsync(Summary(id, given, family, $"{given}.{family}.{i}@example.com", phone, postcode, random.Next(1, 200), now)));
            written++;
            if (i % PlantEvery == 0 && written < customers)
            {
                var twin = $"c{i:D7}b";
                pending.Add(directory.UpsertAsync(Summary(twin, Typo(given, random), family, null, phone, postcode, random.Next(1, 200), now)));
                planted.Add((id, twin));
                written++;
            }

            if (pending.Count >= 2_000)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }

        await Task.WhenAll(pending);
        await using var analyze = dataSource.CreateCommand("ANALYZE crm_customers");
        analyze.CommandTimeout = 0;
        await analyze.ExecuteNonQueryAsync();
        return planted;
    }

    /// <summary>Two letters after the first swapped: "mary" is "mray".</summary>
    private static string Typo(string name, Random random)
    {
        if (name.Length < 4)
        {
            return name + name[^1];
        }

        var at = random.Next(1, name.Length - 1);
        var letters = name.ToCharArray();
        (letters[at], letters[at + 1]) = (letters[at + 1], letters[at]);
        return new string(letters);
    }

    private static CustomerSummary Summary(string id, string given, string family, string? email, string phone, string postcode, int house, DateTimeOffset now) =>
        CustomerSummary.Of(new CustomerKey(Tenant, id), new Customer
        {
            Id = id,
            Profile = new CustomerProfile
            {
                DisplayName = $"{given} {family}",
                GivenName = given,
                FamilyName = family,
                Emails = email is null ? [] : [email],
                Phones = [phone],
                Address = new PostalAddress { Line1 = $"{house} High Street", PostalCode = postcode },
                Attributes = ImmutableDictionary<string, AttributeValue>.Empty,
            },
            Sequence = 1,
            CreatedAt = now,
            UpdatedAt = now,
        }, deleted: false);
}
