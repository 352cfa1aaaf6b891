using System.Net;
using Crm.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Crm.Tests.Hosting;

[Collection(EmbeddedWebCollection.Name)]
public sealed class HostingTests(EmbeddedWebFixture fixture)
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Reports_health_without_a_token(string path)
    {
        var response = await fixture.Web.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void Remembers_a_bounded_number_of_grain_locations_rather_than_orleans_million()
    {
        var directory = fixture.Web.Services.GetRequiredService<IOptions<GrainDirectoryOptions>>().Value;

        Assert.Equal(100_000, directory.CacheSize);
    }

    [Fact]
    public async Task Serves_its_openapi_description()
    {
        var document = await (await fixture.Web.CreateClient().GetAsync("/openapi/v1.json")).ReadJsonAsync();
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Contains("/api/customers", paths);
        Assert.Contains("/api/customers/{id}/interactions", paths);
        Assert.Contains("/api/customers/{id}/timeline", paths);
        Assert.Contains("/api/auth/token", paths);
        Assert.Contains("/api/users", paths);
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer").GetProperty("scheme").GetString());
        Assert.Equal("Bearer", Operation(document, "/api/customers", "get").GetProperty("security")[0].EnumerateObject().Single().Name);
        Assert.False(Operation(document, "/api/auth/token", "post").TryGetProperty("security", out _));
    }

    private static System.Text.Json.JsonElement Operation(System.Text.Json.JsonElement document, string path, string method) =>
        document.GetProperty("paths").GetProperty(path).GetProperty(method);
}
