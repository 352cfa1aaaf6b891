using Crm.Ingestion;

namespace Crm.Tests.Ingestion;

public sealed class EventPropertiesTests
{
    [Theory]
    [InlineData("abcdef", 4, "abcd")]
    [InlineData("abc", 4, "abc")]
    [InlineData("ab\U0001F600cd", 3, "ab")]
    [InlineData("ab\U0001F600cd", 4, "ab\U0001F600")]
    public void Cuts_long_text_but_never_half_of_a_surrogate_pair(string text, int maxLength, string expected) =>
        Assert.Equal(expected, EventProperties.Cut(text, maxLength));
}
