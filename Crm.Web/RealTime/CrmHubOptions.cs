namespace Crm.Web.RealTime;

public sealed class CrmHubOptions
{
    public const string Section = "Crm:Hub";

    /// <summary>Customers one connection may watch at once: a page watches one, a wallboard a few dozen.</summary>
    public int MaxWatchedCustomers { get; set; } = 50;
}
