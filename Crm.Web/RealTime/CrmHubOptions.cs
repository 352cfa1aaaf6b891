namespace Crm.Web.RealTime;

public sealed class CrmHubOptions
{
    public const string Section = "Crm:Hub";

    /// <summary>Customers one connection may watch at once: a page watches one, a wallboard a few dozen.</summary>
    public int MaxWatchedCustomers { get; set; } = 50;

    /// <summary>How often the accounts of connected users are read again, in case a revocation did not arrive.</summary>
    public TimeSpan AccountCheckEvery { get; set; } = TimeSpan.FromSeconds(30);
}
