using Crm.Ingestion;
using Npgsql;

namespace Crm.Tests.Ingestion;

public sealed class ParkReasonsTests
{
    [Fact]
    public void The_database_says_why_without_its_error_code()
    {
        var refused = new PostgresException("invalid byte sequence for encoding \"UTF8\": 0x00", "ERROR", "ERROR", "22021");

        Assert.Equal("The database refused it: invalid byte sequence for encoding \"UTF8\": 0x00", ParkReasons.Describe(refused));
    }

    [Fact]
    public void An_argument_says_why_without_naming_a_parameter_and_a_grain_call_says_what_it_wrapped()
    {
        var wrapped = new OrleansException("Exception while calling the grain", new ArgumentException("An identity cannot be stored: Must not contain NUL characters.", "identities"));

        Assert.Equal("An identity cannot be stored: Must not contain NUL characters.", ParkReasons.Describe(wrapped));
        Assert.Equal("The customer its identities resolve to kept changing (3 times).",
            ParkReasons.Describe(new InvalidOperationException("The customer its identities resolve to kept changing (3 times).")));
    }
}
