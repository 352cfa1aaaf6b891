using Crm.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Crm.Tests.Hosting;

public sealed class ConnectionStringDefaultsTests
{
    [Fact]
    public void Keeps_prepared_statements_across_uses_of_a_pooled_connection()
    {
        var settings = Parse("Host=db;Username=crm;Database=crm");

        Assert.True(settings.NoResetOnClose);
        Assert.Equal(64, settings.MaxAutoPrepare);
        Assert.Equal(2, settings.AutoPrepareMinUsages);
        Assert.Equal(("db", "crm", "crm"), (settings.Host, settings.Username, settings.Database));
    }

    [Theory]
    [InlineData("Host=db;No Reset On Close=false;Max Auto Prepare=0")]
    [InlineData("Host=db;NoResetOnClose=false;maxautoprepare=0")]
    public void What_the_connection_string_sets_wins_however_it_is_spelled(string connectionString)
    {
        var settings = Parse(connectionString);

        Assert.False(settings.NoResetOnClose);
        Assert.Equal(0, settings.MaxAutoPrepare);
        Assert.Equal(2, settings.AutoPrepareMinUsages);
    }

    private static NpgsqlConnectionStringBuilder Parse(string connectionString)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"ConnectionStrings:{CrmHostingOptions.ConnectionStringName}"] = connectionString })
            .Build();
        return new NpgsqlConnectionStringBuilder(CrmHostingOptions.From(configuration).ConnectionString);
    }
}
