using System.Text;
using System.Text.Json;
using Crm.Ingestion;

namespace Crm.Tests.Ingestion;

public sealed class JsonInputTests
{
    [Theory]
    [InlineData("""{"a":{"b":"\u0000"}}""", "a.b", "NUL")]
    [InlineData("""{"a":[1,{"c":"x\ud800"}]}""", "a[1].c", "surrogate")]
    [InlineData("""[[0,"\u0000"]]""", "[0][1]", "NUL")]
    [InlineData("""{"a":{"":"\u0000"}}""", "a.", "NUL")]
    [InlineData("""{"":{"x":"\u0000"}}""", "x", "NUL")]
    [InlineData("""{"a":{"[k":"\u0000"}}""", "a.[k", "NUL")]
    [InlineData("""{"a":{"k\u0000":1}}""", "a.k\0", "key")]
    [InlineData("""{"n":1e400}""", "n", "too large")]
    public void Names_what_cannot_be_taken_in_by_its_path(string json, string field, string message)
    {
        using var document = JsonDocument.Parse(json);

        var problem = JsonInput.Check(document.RootElement, "");

        Assert.NotNull(problem);
        Assert.Equal(field, problem.Field);
        Assert.Contains(message, problem.Message);
    }

    [Fact]
    public void Finds_text_that_is_not_utf8_and_passes_plain_and_escaped_text_that_is()
    {
        var invalid = Encoding.UTF8.GetBytes("""{"ok":"Zoë \u00e9 \ud83d\ude00","bad":"M""").Concat(new byte[] { 0xFC }).Concat(Encoding.UTF8.GetBytes("ller\"}")).ToArray();
        using var document = JsonDocument.Parse(invalid);

        Assert.Equal("bad", JsonInput.Check(document.RootElement, "")?.Field);
        using var fine = JsonDocument.Parse("""{"ok":"Zoë \u00e9 \ud83d\ude00","tab":"a\tb"}""");
        Assert.Null(JsonInput.Check(fine.RootElement, "traits"));
    }
}
