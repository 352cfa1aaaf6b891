using Crm.Customers;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Customers;

/// <summary>What every <see cref="ICustomerDirectory"/> does; run against each implementation.</summary>
public abstract class CustomerDirectoryContract
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    protected abstract ICustomerDirectory Directory { get; }

    [Theory]
    [InlineData("lovelace")]
    [InlineData("ADA")]
    [InlineData("ada@analytical")]
    [InlineData("+4420794")]
    [InlineData("engines")]
    [InlineData("+44 20 7946 0000")]
    [InlineData("020 7946 0000")]
    [InlineData("(020) 7946-0000")]
    [InlineData("946 0000")]
    public async Task Finds_a_customer_by_any_part_of_name_email_phone_or_company(string text)
    {
        var tenant = TestTenants.New();
        await Directory.UpsertAsync(Row(tenant, "c1", "Ada Lovelace", email: "ada@analytical.example", phone: "+442079460000", company: "Analytical Engines"));
        await Directory.UpsertAsync(Row(tenant, "c2", "Charles Babbage"));

        var page = await Directory.SearchAsync(new CustomerSearch(tenant, text, null, 10));

        Assert.Equal(["c1"], page.Items.Select(i => i.Key.CustomerId));
    }

    [Theory]
    [InlineData("jose")]
    [InlineData("JOSÉ")]
    [InlineData("nunez")]
    [InlineData("Núñez")]
    [InlineData("societe generale")]
    [InlineData("lodz")]
    [InlineData("obrien")]
    public async Task Finds_a_name_whether_or_not_its_accents_are_typed(string text)
    {
        var tenant = TestTenants.New();
        await Directory.UpsertAsync(Row(tenant, "c1", "José Núñez O'Brien", company: "Société Générale Łódź"));
        await Directory.UpsertAsync(Row(tenant, "c2", "Jane Doe", company: "Other Ltd"));

        var page = await Directory.SearchAsync(new CustomerSearch(tenant, text, null, 10));

        Assert.Equal(["c1"], page.Items.Select(i => i.Key.CustomerId));
    }

    [Theory]
    [InlineData("Lovelcae")]
    [InlineData("lovelase")]
    [InlineData("lovlace")]
    [InlineData("lovellace")]
    [InlineData("ada lovelcae")]
    [InlineData("lovelace ada")]
    [InlineData("Lovelace, Ada")]
    [InlineData("Analitical")]
    [InlineData("engines ada")]
    public async Task Finds_a_name_typed_with_a_slip_or_its_words_in_another_order(string text)
    {
        var tenant = TestTenants.New();
        await Directory.UpsertAsync(Row(tenant, "c1", "Ada Lovelace", email: "ada@analytical.example", company: "Analytical Engines"));
        await Directory.UpsertAsync(Row(tenant, "c2", "Charles Babbage", company: "Difference Engines"));
        await Directory.UpsertAsync(Row(tenant, "c3", "Grace Lovelock"));
        await Directory.UpsertAsync(Row(TestTenants.New(), "c4", "Ada Lovelace"));

        var page = await Directory.SearchAsync(new CustomerSearch(tenant, text, null, 10));
        var count = await Directory.CountAsync(new CustomerSearch(tenant, text, null, 10));

        Assert.Equal(["c1"], page.Items.Select(i => i.Key.CustomerId));
        Assert.Equal(1, count);
    }

    [Theory]
    [InlineData("Mark Twain", "c1")]
    [InlineData("Marc Twain", "c2")]
    [InlineData("Marx Twain", "c1 c2")]
    [InlineData("twain", "c1 c2")]
    public async Task Finds_what_is_as_typed_alone_and_forgives_a_slip_only_when_nobody_is(string text, string expected)
    {
        var tenant = TestTenants.New();
        await Directory.UpsertAsync(Row(tenant, "c1", "Mark Twain"));
        await Directory.UpsertAsync(Row(tenant, "c2", "Marc Twain"));

        var page = await Directory.SearchAsync(new CustomerSearch(tenant, text, null, 10));
        var count = await Directory.CountAsync(new CustomerSearch(tenant, text, null, 10));

        Assert.Equal(expected.Split(' '), page.Items.Select(i => i.Key.CustomerId).Order());
        Assert.Equal(page.Items.Count, count);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData(null)]
    [InlineData("ada@analytical")]
    public async Task A_cursor_from_a_search_with_slips_handed_back_with_other_text_pages_that_text(string? text)
    {
        var tenant = TestTenants.New();
        await Directory.UpsertAsync(Row(tenant, "c1", "Ada Lovelace", email: "ada@analytical.example"));
        await Directory.UpsertAsync(Row(tenant, "c2", "Abe Babbage", email: "abe@analytical.example"));

        var page = await Directory.SearchAsync(new CustomerSearch(tenant, text, new CustomerListCursor("", "") { Slips = true }, 10));

        string[] expected = text switch { "ab" => ["c2"], "ada@analytical" => ["c1"], _ => ["c2", "c1"] };
        Assert.Equal(expected, page.Items.Select(i => i.Key.CustomerId));
    }

    [Theory]
    [InlineData("lovelcae babbage")]
    [InlineData("adx lovelace")]
    [InlineData("ada@lovelace")]
    [InlineData("lvoelcae")]
    public async Task Forgives_one_slip_in_a_word_long_enough_to_have_one_and_finds_every_word(string text)
    {
        var tenant = TestTenants.New();
        await Directory.UpsertAsync(Row(tenant, "c1", "Ada Lovelace", email: "ada@analytical.example"));
        await Directory.UpsertAsync(Row(tenant, "c2", "Charles Babbage"));

        var page = await Directory.SearchAsync(new CustomerSearch(tenant, text, null, 10));

        Assert.Empty(page.Items);
    }

    [Theory]
    [InlineData("李")]
    [InlineData("jo.smith")]
    [InlineData("e.")]
    public async Task Folding_adds_no_matches_for_what_has_no_accents_to_drop(string text)
    {
        var tenant = TestTenants.New();
        await Directory.UpsertAsync(Row(tenant, "c1", "Jo Smith"));
        await Directory.UpsertAsync(Row(tenant, "c2", "Alice Lee"));

        var page = await Directory.SearchAsync(new CustomerSearch(tenant, text, null, 10));

        Assert.Empty(page.Items);
    }

    [Fact]
    public async Task Text_that_reads_as_a_phone_number_finds_it_as_typed_too()
    {
        var tenant = TestTenants.New();
        await Directory.UpsertAsync(Row(tenant, "c1", "Order 12-34 Ltd"));
        await Directory.UpsertAsync(Row(tenant, "c2", "Phone owner", phone: "+441234567890"));

        var page = await Directory.SearchAsync(new CustomerSearch(tenant, "12-34", null, 10));

        Assert.Equal(["c1", "c2"], page.Items.Select(i => i.Key.CustomerId).Order());
    }

    [Fact]
    public async Task Lists_by_name_then_id_and_pages_without_gaps_or_repeats()
    {
        var tenant = TestTenants.New();
        string[] names = ["delta", "Alpha", "charlie", "bravo", "alpha", "Echo", "foxtrot"];
        for (var i = 0; i < names.Length; i++)
        {
            await Directory.UpsertAsync(Row(tenant, $"c{i}", names[i]));
        }

        var seen = new List<CustomerSummary>();
        CustomerListCursor? cursor = null;
        do
        {
            var page = await Directory.SearchAsync(new CustomerSearch(tenant, null, cursor, 3));
            seen.AddRange(page.Items);
            cursor = page.Next;
        }
        while (cursor is not null);

        Assert.Equal(["Alpha", "alpha", "bravo", "charlie", "delta", "Echo", "foxtrot"], seen.Select(s => s.DisplayName));
        Assert.Equal(["c1", "c4"], seen.Take(2).Select(s => s.Key.CustomerId));
    }

    [Theory]
    [InlineData("createdAt", "c0 c1 c2 c3")]
    [InlineData("-createdAt", "c3 c2 c1 c0")]
    [InlineData("lastContactAt", "c1 c3 c0 c2")]
    [InlineData("-lastContactAt", "c2 c0 c3 c1")]
    [InlineData("totalInteractions", "c1 c0 c2 c3")]
    [InlineData("-totalInteractions", "c3 c2 c0 c1")]
    [InlineData("-name", "c0 c2 c3 c1")]
    [InlineData("name", "c1 c3 c2 c0")]
    public async Task Lists_in_the_order_asked_and_pages_through_it_a_customer_at_a_time(string order, string expected)
    {
        Assert.True(CustomerSort.TryParse(order, out var sort));
        // The whole list, alone and with a rule that leaves one out; what a search with a slip finds (the same customers,
        // with one more that it must not); and the same with the rule, which leaves out one more that the slip finds.
        var notExcluded = Crm.Segments.SegmentRules.Parse(
            System.Text.Json.JsonDocument.Parse("""{"not":{"field":"company","op":"eq","value":"Excluded Co"}}""").RootElement,
            new Dictionary<string, FieldDefinition>()).Rule;
        foreach (var (text, surname, rule) in new[] { ((string?)null, "", (Crm.Segments.SegmentRule?)null), (null, "", notExcluded), ("lovelcae", " lovelace", null), ("lovelcae", " lovelace", notExcluded) })
        {
            var tenant = TestTenants.New();
            (string Name, int CreatedHour, int? ContactHour, long Interactions)[] rows = [("delta", 0, 2, 5), ("alpha", 1, null, 0), ("charlie", 2, 3, 5), ("bravo", 3, 1, 9)];
            for (var i = 0; i < rows.Length; i++)
            {
                var (name, created, contact, interactions) = rows[i];
                await Directory.UpsertAsync(Row(tenant, $"c{i}", name + surname) with
                {
                    CreatedAt = T0.AddHours(created),
                    LastContactAt = contact is { } hour ? T0.AddHours(hour) : null,
                    TotalInteractions = interactions,
                });
            }

            if (text is not null)
            {
                await Directory.UpsertAsync(Row(tenant, "c9", "echo babbage") with { CreatedAt = T0.AddHours(1.5), LastContactAt = T0.AddHours(2.5), TotalInteractions = 7 });
            }

            if (rule is not null)
            {
                await Directory.UpsertAsync(Row(tenant, "c8", "bravo lovelace", company: "Excluded Co") with { CreatedAt = T0.AddHours(2.5), LastContactAt = T0.AddHours(1.5), TotalInteractions = 6 });
            }

            var seen = new List<string>();
            CustomerListCursor? cursor = null;
            do
            {
                var page = await Directory.SearchAsync(new CustomerSearch(tenant, text, cursor, 1) { Sort = sort, Rule = rule, Now = T0 });
                seen.AddRange(page.Items.Select(i => i.Key.CustomerId));
                cursor = page.Next;
            }
            while (cursor is not null && seen.Count < 10);

            Assert.Equal(expected.Split(' '), seen);
        }
    }

    [Fact]
    public async Task Lists_by_activity_as_it_changes_never_by_an_older_row_and_without_deleted_customers()
    {
        var tenant = TestTenants.New();
        CustomerSummary Contacted(string id, long sequence, double hour, long interactions) =>
            Row(tenant, id, id, sequence: sequence) with { LastContactAt = T0.AddHours(hour), TotalInteractions = interactions };
        async Task<string> ListAsync(string order)
        {
            Assert.True(CustomerSort.TryParse(order, out var sort));
            return string.Join(' ', (await Directory.SearchAsync(new CustomerSearch(tenant, null, null, 10) { Sort = sort })).Items.Select(i => i.Key.CustomerId));
        }

        await Directory.UpsertAsync(Contacted("c0", 1, 1, 1));
        await Directory.UpsertAsync(Contacted("c1", 1, 2, 2));
        Assert.Equal("c1 c0", await ListAsync("-lastContactAt"));

        await Directory.UpsertAsync(Contacted("c0", 2, 3, 5));
        Assert.Equal(("c0 c1", "c0 c1"), (await ListAsync("-lastContactAt"), await ListAsync("-totalInteractions")));

        await Directory.UpsertAsync(Contacted("c0", 1, 0, 0));
        Assert.Equal(("c0 c1", "c1 c0"), (await ListAsync("-lastContactAt"), await ListAsync("totalInteractions")));

        await Directory.UpsertAsync(Contacted("c1", 3, 4, 9) with { Deleted = true });
        Assert.Equal(("c0", "c0"), (await ListAsync("-lastContactAt"), await ListAsync("-totalInteractions")));
    }

    [Fact]
    public async Task Never_replaces_a_row_with_an_older_one()
    {
        var tenant = TestTenants.New();
        await Directory.UpsertAsync(Row(tenant, "c1", "Newer name", sequence: 5));
        await Directory.UpsertAsync(Row(tenant, "c1", "Older name", sequence: 3));

        var page = await Directory.SearchAsync(new CustomerSearch(tenant, null, null, 10));

        Assert.Equal(["Newer name"], page.Items.Select(i => i.DisplayName));
    }

    [Fact]
    public async Task Leaves_deleted_customers_out()
    {
        var tenant = TestTenants.New();
        await Directory.UpsertAsync(Row(tenant, "c1", "Gone", sequence: 1));
        await Directory.UpsertAsync(Row(tenant, "c1", "Gone", sequence: 2) with { Deleted = true });
        await Directory.UpsertAsync(Row(tenant, "c2", "Here"));

        var page = await Directory.SearchAsync(new CustomerSearch(tenant, null, null, 10));

        Assert.Equal(["c2"], page.Items.Select(i => i.Key.CustomerId));
    }

    [Fact]
    public async Task Shows_each_tenant_only_its_own_customers()
    {
        var mine = TestTenants.New();
        var theirs = TestTenants.New();
        await Directory.UpsertAsync(Row(mine, "c1", "Shared Name"));
        await Directory.UpsertAsync(Row(theirs, "c1", "Shared Name"));

        var page = await Directory.SearchAsync(new CustomerSearch(mine, "shared", null, 10));

        Assert.Equal([mine], page.Items.Select(i => i.Key.TenantId));
    }

    [Fact]
    public async Task Treats_wildcards_in_the_search_text_literally()
    {
        var tenant = TestTenants.New();
        await Directory.UpsertAsync(Row(tenant, "c1", "100% Cotton Ltd"));
        await Directory.UpsertAsync(Row(tenant, "c2", "Cotton_Co"));

        Assert.Equal(["c1"], (await Directory.SearchAsync(new CustomerSearch(tenant, "0% c", null, 10))).Items.Select(i => i.Key.CustomerId));
        Assert.Equal(["c2"], (await Directory.SearchAsync(new CustomerSearch(tenant, "n_c", null, 10))).Items.Select(i => i.Key.CustomerId));
        Assert.Equal(["c1"], (await Directory.SearchAsync(new CustomerSearch(tenant, "%", null, 10))).Items.Select(i => i.Key.CustomerId));
    }

    [Fact]
    public async Task Changes_of_one_customer_written_at_once_leave_the_newest_whatever_order_they_land_in()
    {
        var tenant = TestTenants.New();

        // Written together, as changes arriving at the same moment are: each customer's newest sequence wins.
        await Task.WhenAll(Enumerable.Range(1, 40).Reverse().Select(n => Directory.UpsertAsync(Row(tenant, $"c{n % 4}", $"Name {n:D2}", sequence: n))));

        var page = await Directory.SearchAsync(new CustomerSearch(tenant, null, null, 10));
        Assert.Equal(["Name 37", "Name 38", "Name 39", "Name 40"], page.Items.Select(i => i.DisplayName).Order());
        Assert.All(page.Items, i => Assert.Equal("vip", Assert.Single(i.Tags)));
    }

    private static CustomerSummary Row(string tenant, string id, string name, string? email = null, string? phone = null, string? company = null, long sequence = 1)
    {
        var customer = new Customer
        {
            Id = id,
            Profile = new CustomerProfile
            {
                DisplayName = name,
                Emails = email is null ? [] : [email],
                Phones = phone is null ? [] : [phone],
                Company = company,
                Tags = ["vip"],
            },
            Sequence = sequence,
            CreatedAt = T0,
            UpdatedAt = T0,
        };
        return CustomerSummary.Of(new CustomerKey(tenant, id), customer, deleted: false);
    }
}

public sealed class InMemoryCustomerDirectoryTests : CustomerDirectoryContract
{
    protected override ICustomerDirectory Directory { get; } = new InMemoryCustomerDirectory();
}

public sealed class PostgresCustomerDirectoryTests(MigratedDatabaseFixture database) : CustomerDirectoryContract, IClassFixture<MigratedDatabaseFixture>
{
    protected override ICustomerDirectory Directory { get; } = new PostgresCustomerDirectory(database.DataSource);
}

/// <summary>The contract again with a list narrowed by a rule walking only two rows in order before it sorts instead, so that both ways meet in every test.</summary>
public sealed class PostgresCustomerDirectoryNarrowWindowTests(MigratedDatabaseFixture database) : CustomerDirectoryContract, IClassFixture<MigratedDatabaseFixture>
{
    protected override ICustomerDirectory Directory { get; } = new PostgresCustomerDirectory(database.DataSource, activityWindow: 2);
}
