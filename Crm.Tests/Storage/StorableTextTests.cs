using Crm.Storage;

namespace Crm.Tests.Storage;

public sealed class StorableTextTests
{
    [Fact]
    public void Strips_only_what_PostgreSQL_cannot_store()
    {
        // Built in code and checked in one test: a lone surrogate does not survive as theory data.
        var lone = "lone " + (char)0xD800 + " high, lone " + (char)0xDC00 + " low";
        (string Text, string Stored)[] cases =
        [
            ("plain é \U0001F600", "plain é \U0001F600"),
            ("a\0b \U0001F600", "ab \U0001F600"),
            (lone, "lone  high, lone  low"),
        ];

        Assert.All(cases, c =>
        {
            Assert.Equal(c.Stored, StorableText.Stripped(c.Text));
            Assert.Null(StorableText.Problem(StorableText.Stripped(c.Text)));
        });
    }
}
