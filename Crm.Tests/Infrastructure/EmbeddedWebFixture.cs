namespace Crm.Tests.Infrastructure;

/// <summary>One embedded-mode Crm.Web shared by the HTTP and hub tests of a collection; each test uses its own tenant.</summary>
public sealed class EmbeddedWebFixture : IAsyncLifetime
{
    public CrmWebFactory Web { get; } = new();

    public Task InitializeAsync()
    {
        Web.StartServer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Web.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class EmbeddedWebCollection : ICollectionFixture<EmbeddedWebFixture>
{
    public const string Name = "Embedded web";
}
