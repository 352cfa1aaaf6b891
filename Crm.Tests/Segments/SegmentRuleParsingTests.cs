using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Customers;
using Crm.Segments;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Segments;

/// <summary>Rules that cannot be followed are refused with the place and the reason, in the API as in code.</summary>
[Collection(EmbeddedWebCollection.Name)]
public sealed class SegmentRuleParsingTests(EmbeddedWebFixture fixture)
{
    private static readonly IReadOnlyDictionary<string, FieldDefinition> Definitions = new Dictionary<string, FieldDefinition>
    {
        ["seats"] = new("seats", "Seats", FieldType.Number, []),
    };

    [Theory]
    [InlineData("""{"field":"shoeSize","op":"eq","value":1}""", "rules.field", "Unknown field 'shoeSize'")]
    [InlineData("""{"field":"company","op":"gt","value":"a"}""", "rules.op", "'gt' does not apply to company")]
    [InlineData("""{"field":"company","op":"like","value":"a"}""", "rules.op", "one of eq, ne, contains")]
    [InlineData("""{"field":"company","op":"eq,ne","value":"a"}""", "rules.op", "one of eq, ne, contains")]
    [InlineData("""{"field":"company","op":"eq"}""", "rules.value", "Required")]
    [InlineData("""{"field":"country","op":"in","value":"GB"}""", "rules.value", "a list of 1 to 500 values")]
    [InlineData("""{"field":"lifecycle","op":"eq","value":"vip"}""", "rules.value", "'vip' is not one of: lead, prospect, customer, churned")]
    [InlineData("""{"field":"attributes.seats","op":"gt","value":"many"}""", "rules.value", "attributes.seats is a number")]
    [InlineData("""{"field":"activity.lastContactAt","op":"within","value":"30 days"}""", "rules.value", "ISO 8601 duration")]
    [InlineData("""{"field":"activity.lastContactAt","op":"gt","value":"yesterday"}""", "rules.value", "is a time")]
    [InlineData("""{"all":[{"field":"tags","op":"contains","value":"vip"},{"any":[{"field":"tags","op":"contains","value":""}]}]}""", "rules.all[1].any[0].value", "1 to 200 characters")]
    [InlineData("""{"all":{"field":"tags","op":"exists"}}""", "rules.all", "A list of rules")]
    [InlineData("""{"all":[],"any":[]}""", "rules", "nothing beside it")]
    [InlineData("""{"field":"tags","op":"exists","color":"red"}""", "rules.color", "Not part of a condition")]
    [InlineData("""{"field":"tags","field":"company","op":"exists"}""", "rules.field", "Given twice")]
    [InlineData("""["tags"]""", "rules", "A rule is an object")]
    [InlineData("""{"not":{"not":{"not":{"not":{"not":{"not":{"not":{"not":{"field":"tags","op":"exists"}}}}}}}}}""", "rules.not.not.not.not.not.not.not.not", "nest at most 8")]
    public void A_rule_that_cannot_be_followed_is_refused_naming_the_place_and_the_reason(string rules, string field, string message)
    {
        var (rule, problems) = SegmentRules.Parse(JsonDocument.Parse(rules).RootElement, Definitions);

        Assert.Null(rule);
        var problem = Assert.Single(problems);
        Assert.Equal(field, problem.Field);
        Assert.Contains(message, problem.Message);
    }

    [Fact]
    public void A_key_or_value_no_database_can_store_is_named_in_words_that_encode()
    {
        // An unpaired surrogate, escaped in the JSON: in a key of a condition, then in a value.
        // And a value quoted in a message, cut after 40 characters: never between the halves of an emoji.
        var cutAtAnEmoji = $$"""{"field":"attributes.seats","op":"gt","value":"{{new string('a', 39)}}😀 many"}""";
        foreach (var rules in new[] { """{"\ud800mail":["a"]}""", """{"field":"company","op":"eq","value":"\udc00"}""", cutAtAnEmoji })
        {
            var (rule, problems) = SegmentRules.Parse(JsonDocument.Parse(rules).RootElement, Definitions);

            Assert.Null(rule);
            var problem = Assert.Single(problems);
            Assert.StartsWith("rules", problem.Field);
            Assert.Null(Crm.Storage.StorableText.Problem(problem.Message));
        }
    }

    [Fact]
    public void More_conditions_than_the_limit_are_refused()
    {
        var many = string.Join(',', Enumerable.Repeat("""{"field":"tags","op":"exists"}""", SegmentRules.MaxConditions + 1));

        var (rule, problems) = SegmentRules.Parse(JsonDocument.Parse($$"""{"any":[{{many}}]}""").RootElement, Definitions);

        Assert.Null(rule);
        Assert.Contains(problems, p => p.Field == "rules.any" && p.Message.Contains($"at most {SegmentRules.MaxConditions} rules"));
    }

    [Fact]
    public void A_group_of_more_rules_than_the_limit_is_refused_even_when_they_are_empty_groups()
    {
        var many = string.Join(',', Enumerable.Repeat("""{"all":[]}""", SegmentRules.MaxConditions)) + """,{"field":"tags","op":"exists"}""";

        var (rule, problems) = SegmentRules.Parse(JsonDocument.Parse($$"""{"any":[{{many}}]}""").RootElement, Definitions);

        Assert.Null(rule);
        Assert.Contains(problems, p => p.Field == "rules.any");
    }

    [Fact]
    public async Task The_customer_list_filters_by_rules_and_refuses_bad_ones_with_a_400_naming_the_place()
    {
        var tenant = TestTenants.New();
        var agent = await fixture.Web.SignInAsync(tenant);
        await agent.Client.PostAsJsonAsync("/api/customers", new { displayName = "Gold Ada", tags = new[] { "vip" }, country = "GB", attributes = new { seats = 12 } });
        await agent.Client.PostAsJsonAsync("/api/customers", new { displayName = "Plain Bob", country = "IE" });
        var rules = """{"all":[{"field":"tags","op":"contains","value":"vip"},{"field":"attributes.seats","op":"gte","value":10}]}""";

        var found = await Eventually.ReturnsAsync(
            async () => await (await agent.Client.GetAsync($"/api/customers?rules={Uri.EscapeDataString(rules)}")).ReadJsonAsync(),
            page => page.GetProperty("items").GetArrayLength() > 0);
        var bad = await agent.Client.GetAsync($"/api/customers?rules={Uri.EscapeDataString("""{"any":[{"field":"country","op":"gt","value":"GB"}]}""")}");
        var notJson = await agent.Client.GetAsync("/api/customers?rules=%7Bnope");

        Assert.Equal(["Gold Ada"], found.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("displayName").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("'gt' does not apply to country", (await bad.ErrorsForAsync("rules.any[0].op"))[0]);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.NotEmpty(await notJson.ErrorsForAsync("rules"));
    }
}
