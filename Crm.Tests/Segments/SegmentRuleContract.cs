using System.Collections.Immutable;
using System.Text.Json;
using Crm.Customers;
using Crm.Segments;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Segments;

/// <summary>
/// Every operator on every kind of field, through each customer list: the embedded one and PostgreSQL's must find
/// the same customers for the same rule, in a page and in a count.
/// </summary>
public abstract class SegmentRuleContract
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly IReadOnlyDictionary<string, FieldDefinition> Definitions = new[]
    {
        new FieldDefinition("plan", "Plan", FieldType.OneOf, ["Gold", "Silver"]),
        new FieldDefinition("seats", "Seats", FieldType.Number, []),
        new FieldDefinition("renewal", "Renewal", FieldType.Date, []),
        new FieldDefinition("trial", "Trial", FieldType.Boolean, []),
    }.ToDictionary(d => d.Name);

    protected abstract ICustomerDirectory Directory { get; }

    public static TheoryData<string, string> Cases() => new()
    {
        { """{"field":"tags","op":"contains","value":"VIP"}""", "ada di" },
        { """{"field":"tags","op":"in","value":["beta","none"]}""", "ada bob" },
        { """{"field":"tags","op":"exists"}""", "ada bob di" },
        { """{"field":"tags","op":"exists","value":false}""", "cy" },
        { """{"field":"lifecycle","op":"eq","value":"customer"}""", "ada cy" },
        { """{"field":"valueSegment","op":"eq","value":"champions"}""", "ada" },
        { """{"field":"valueSegment","op":"in","value":["Lost","Champions"]}""", "ada bob" },
        { """{"field":"valueSegment","op":"ne","value":"Lost"}""", "ada cy di" },
        { """{"field":"valueSegment","op":"exists","value":false}""", "cy di" },
        { """{"field":"lifecycle","op":"ne","value":"Customer"}""", "bob di" },
        { """{"field":"lifecycle","op":"in","value":["lead","customer"]}""", "ada bob cy" },
        { """{"field":"country","op":"eq","value":"gb"}""", "ada di" },
        { """{"field":"country","op":"ne","value":"GB"}""", "bob cy" },
        { """{"field":"country","op":"in","value":["IE","FR"]}""", "bob" },
        { """{"field":"country","op":"exists","value":false}""", "cy" },
        { """{"field":"company","op":"contains","value":"ENGINE"}""", "ada" },
        { """{"field":"company","op":"eq","value":"babbage & co"}""", "bob" },
        { """{"field":"ownerId","op":"eq","value":"U-1"}""", "ada" },
        { """{"field":"consent.email","op":"eq","value":"granted"}""", "ada" },
        { """{"field":"consent.email","op":"eq","value":"unknown"}""", "cy di" },
        { """{"field":"consent.email","op":"ne","value":"denied"}""", "ada cy di" },
        { """{"field":"attributes.seats","op":"gt","value":5}""", "ada" },
        { """{"field":"attributes.seats","op":"gte","value":3}""", "ada bob" },
        { """{"field":"attributes.seats","op":"lt","value":12}""", "bob" },
        { """{"field":"attributes.seats","op":"lte","value":12.0}""", "ada bob" },
        { """{"field":"attributes.seats","op":"eq","value":12}""", "ada" },
        { """{"field":"attributes.seats","op":"ne","value":12}""", "bob cy di" },
        { """{"field":"attributes.seats","op":"exists"}""", "ada bob cy" },
        { """{"field":"attributes.plan","op":"eq","value":"GOLD"}""", "ada" },
        { """{"field":"attributes.plan","op":"in","value":["gold","silver"]}""", "ada bob" },
        { """{"field":"attributes.renewal","op":"gt","value":"2026-01-01"}""", "ada" },
        { """{"field":"attributes.renewal","op":"within","value":"P120D"}""", "di" },
        { """{"field":"attributes.trial","op":"eq","value":true}""", "bob" },
        { """{"field":"attributes.trial","op":"ne","value":true}""", "ada cy di" },
        { """{"field":"attributes.source","op":"eq","value":"Web"}""", "cy" },
        { """{"field":"attributes.source","op":"contains","value":"e"}""", "cy" },
        { """{"field":"activity.totalInteractions","op":"gt","value":1}""", "ada cy" },
        { """{"field":"activity.totalInteractions","op":"eq","value":0}""", "bob di" },
        { """{"field":"activity.lastContactAt","op":"within","value":"P30D"}""", "ada" },
        { """{"field":"activity.lastContactAt","op":"lt","value":"2026-02-01T00:00:00Z"}""", "cy" },
        { """{"field":"activity.lastContactAt","op":"exists","value":false}""", "bob di" },
        { """{"all":[{"field":"tags","op":"contains","value":"vip"},{"any":[{"field":"country","op":"in","value":["GB","IE"]},{"field":"activity.lastContactAt","op":"within","value":"P30D"}]}]}""", "ada di" },
        { """{"not":{"field":"tags","op":"contains","value":"beta"}}""", "cy di" },
        { """{"not":{"any":[{"field":"country","op":"eq","value":"GB"},{"field":"attributes.trial","op":"eq","value":true}]}}""", "cy" },
        { """{"all":[]}""", "ada bob cy di" },
        { """{"any":[]}""", "" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Finds_and_counts_the_customers_a_rule_holds_for(string rules, string expected)
    {
        var tenant = TestTenants.New();
        await Task.WhenAll(People(tenant).Select(p => Directory.UpsertAsync(p)));
        var (rule, problems) = SegmentRules.Parse(JsonDocument.Parse(rules).RootElement, Definitions);
        Assert.Empty(problems);
        var search = new CustomerSearch(tenant, null, null, 50) { Rule = rule, Now = Now };

        var page = await Directory.SearchAsync(search);
        var count = await Directory.CountAsync(search);

        Assert.Equal(expected, string.Join(' ', page.Items.Select(i => i.Key.CustomerId)));
        Assert.Equal(page.Items.Count, count);
    }

    [Fact]
    public async Task Counts_every_rule_in_one_pass_as_each_alone()
    {
        var tenant = TestTenants.New();
        await Task.WhenAll(People(tenant).Select(p => Directory.UpsertAsync(p)));
        var rules = Cases().Select(c => SegmentRules.Parse(JsonDocument.Parse((string)c[0]).RootElement, Definitions).Rule!).ToList();

        var together = await Directory.CountEachAsync(tenant, rules, Now);

        var alone = new List<long>();
        foreach (var rule in rules)
        {
            alone.Add(await Directory.CountAsync(new CustomerSearch(tenant, null, null, 0) { Rule = rule, Now = Now }));
        }

        Assert.Equal(alone, together);
        Assert.Equal(Cases().Select(c => (long)((string)c[1]).Split(' ', StringSplitOptions.RemoveEmptyEntries).Length), together);
    }

    [Fact]
    public async Task Finds_who_a_window_back_from_now_took_in_or_left_out_between_two_moments_in_pages()
    {
        var tenant = TestTenants.New();
        await Task.WhenAll(People(tenant).Select(p => Directory.UpsertAsync(p)));
        await Directory.UpsertAsync(Person(tenant, "gone", new CustomerProfile { DisplayName = "Gone" }, total: 1, lastContact: Now.AddDays(-10)) with { Deleted = true });
        var (rule, _) = SegmentRules.Parse(JsonDocument.Parse("""{"field":"activity.lastContactAt","op":"within","value":"P30D"}""").RootElement, Definitions);
        var (notRecent, _) = SegmentRules.Parse(JsonDocument.Parse("""{"not":{"field":"activity.lastContactAt","op":"within","value":"P30D"}}""").RootElement, Definitions);

        // Ada was contacted 10 days ago, Cy 40: a fortnight ago the window held Cy and not yet Ada.
        var fortnight = new RuleSince(rule!, Now.AddDays(-15));
        var moved = await MovedAsync([fortnight], Now);
        var first = await Directory.MovedWithTimeAsync(tenant, [fortnight], Now, null, 1);
        var second = await Directory.MovedWithTimeAsync(tenant, [fortnight], Now, first[0].CustomerId, 1);
        var later = await MovedAsync([new RuleSince(rule!, Now)], Now.AddDays(25));
        var still = await MovedAsync([new RuleSince(rule!, Now)], Now.AddDays(1));
        var together = await MovedAsync([new RuleSince(rule!, Now), fortnight, new RuleSince(notRecent!, Now.AddDays(-15))], Now.AddDays(25));

        Assert.Equal(["ada 1 0:in", "cy 1 0:out"], moved);
        Assert.Equal(moved, [.. first.Concat(second).Select(Shown)]);
        Assert.Equal(["ada 1 0:out"], later);
        Assert.Empty(still);
        // Each rule from its own moment, in one pass: at 25 days on, Ada has left the window again, Cy long since.
        Assert.Equal(["ada 1 0:out", "cy 1 1:out 2:in"], together);

        async Task<IReadOnlyList<string>> MovedAsync(IReadOnlyList<RuleSince> rules, DateTimeOffset to) =>
            [.. (await Directory.MovedWithTimeAsync(tenant, rules, to, null, 10)).Select(Shown)];

        static string Shown(MovedByTime m) => $"{m.CustomerId} {m.Sequence} {string.Join(' ', m.Moves.Select(x => $"{x.Rule}:{(x.IsMember ? "in" : "out")}"))}";
    }

    [Fact]
    public async Task A_rule_and_the_search_text_together_find_what_both_find_and_only_in_the_tenant()
    {
        var tenant = TestTenants.New();
        var other = TestTenants.New();
        await Task.WhenAll(People(tenant).Concat(People(other)).Select(p => Directory.UpsertAsync(p)));
        var (rule, _) = SegmentRules.Parse(JsonDocument.Parse("""{"field":"tags","op":"exists"}""").RootElement, Definitions);

        var page = await Directory.SearchAsync(new CustomerSearch(tenant, "d", null, 50) { Rule = rule, Now = Now });

        Assert.Equal(["ada", "di"], page.Items.Select(i => i.Key.CustomerId));
        Assert.All(page.Items, i => Assert.Equal(tenant, i.Key.TenantId));
    }

    [Fact]
    public async Task Compares_text_in_any_case_of_any_alphabet_and_text_of_a_dates_form_as_a_date_alike()
    {
        var tenant = TestTenants.New();
        await Directory.UpsertAsync(Person(tenant, "eco", new CustomerProfile
        {
            DisplayName = "École", Company = "ÉCOLE Normale", Tags = ["Été"],
            Attributes = Attributes(("city", AttributeValue.Text("ZÜRICH")), ("since", AttributeValue.Text("2024-02-30"))),
        }, total: 0, lastContact: null));

        foreach (var rules in new[]
        {
            """{"field":"company","op":"eq","value":"école normale"}""",
            """{"field":"company","op":"contains","value":"COLE N"}""",
            """{"field":"tags","op":"contains","value":"ÉTÉ"}""",
            """{"field":"attributes.city","op":"in","value":["zürich"]}""",
            """{"field":"attributes.since","op":"gt","value":"2024-01-01"}""",
        })
        {
            var (rule, problems) = SegmentRules.Parse(JsonDocument.Parse(rules).RootElement, Definitions);
            Assert.Empty(problems);
            var page = await Directory.SearchAsync(new CustomerSearch(tenant, null, null, 10) { Rule = rule, Now = Now });
            Assert.True(page.Items.Count == 1, $"{rules} found {page.Items.Count}");
        }
    }

    private static IEnumerable<CustomerSummary> People(string tenant) =>
    [
        Person(tenant, "ada", new CustomerProfile
        {
            DisplayName = "Ada", Tags = ["vip", "beta"], Lifecycle = LifecycleStage.Customer, Country = "GB", Company = "Analytical Engines", OwnerId = "u-1",
            Consent = ImmutableDictionary<ConsentChannel, Consent>.Empty.Add(ConsentChannel.Email, new Consent(ConsentStatus.Granted, Now, "form")),
            Attributes = Attributes(("plan", AttributeValue.Text("Gold")), ("seats", AttributeValue.Number(12)), ("renewal", AttributeValue.Date(new DateOnly(2026, 4, 1))), ("trial", AttributeValue.Boolean(false))),
        }, total: 5, lastContact: Now.AddDays(-10), valueSegment: "Champions"),
        Person(tenant, "bob", new CustomerProfile
        {
            DisplayName = "Bob", Tags = ["beta"], Lifecycle = LifecycleStage.Lead, Country = "IE", Company = "Babbage & Co", OwnerId = "u-2",
            Consent = ImmutableDictionary<ConsentChannel, Consent>.Empty.Add(ConsentChannel.Email, new Consent(ConsentStatus.Denied, Now, "form")),
            Attributes = Attributes(("plan", AttributeValue.Text("Silver")), ("seats", AttributeValue.Number(3)), ("trial", AttributeValue.Boolean(true))),
        }, total: 0, lastContact: null, valueSegment: "Lost"),
        // A text attribute that looks like a number is text: it never meets a number condition.
        Person(tenant, "cy", new CustomerProfile
        {
            DisplayName = "Cy", Lifecycle = LifecycleStage.Customer,
            Attributes = Attributes(("seats", AttributeValue.Text("12")), ("source", AttributeValue.Text("web"))),
        }, total: 2, lastContact: Now.AddDays(-40)),
        Person(tenant, "di", new CustomerProfile
        {
            DisplayName = "Di", Tags = ["VIP"], Lifecycle = LifecycleStage.Churned, Country = "Gb",
            Attributes = Attributes(("renewal", AttributeValue.Date(new DateOnly(2025, 12, 1)))),
        }, total: 0, lastContact: null),
    ];

    private static ImmutableDictionary<string, AttributeValue> Attributes(params (string Name, AttributeValue Value)[] values) =>
        values.ToImmutableDictionary(v => v.Name, v => v.Value);

    private static CustomerSummary Person(string tenant, string id, CustomerProfile profile, long total, DateTimeOffset? lastContact, string? valueSegment = null) =>
        CustomerSummary.Of(new CustomerKey(tenant, id), new Customer
        {
            Id = id,
            Profile = profile,
            Activity = new CustomerActivity { TotalInteractions = total, LastContactAt = lastContact },
            Sequence = 1,
            CreatedAt = Now,
            UpdatedAt = Now,
            ValueSegment = valueSegment is null ? null : new Crm.Analytics.ValueSegmentAssignment(valueSegment, 1, Now, 3, 4, 500m),
        }, deleted: false);
}

public sealed class InMemorySegmentRuleTests : SegmentRuleContract
{
    protected override ICustomerDirectory Directory { get; } = new InMemoryCustomerDirectory();
}

public sealed class PostgresSegmentRuleTests(MigratedDatabaseFixture database) : SegmentRuleContract, IClassFixture<MigratedDatabaseFixture>
{
    protected override ICustomerDirectory Directory { get; } = new PostgresCustomerDirectory(database.DataSource);
}
