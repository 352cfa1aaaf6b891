namespace Crm.Tests.Infrastructure;

public static class TestTenants
{
    /// <summary>A tenant id no other test uses, so tests sharing a cluster or a database never see each other's data.</summary>
    public static string New() => "t" + Guid.NewGuid().ToString("N")[..16];
}
