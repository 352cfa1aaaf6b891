namespace Crm.Customers;

public sealed class CustomerGrainOptions
{
    public const string Section = "Crm:Customers";

    /// <summary>How many of the latest interactions the grain keeps in its state, to answer catch-ups without a query.</summary>
    public int RecentInteractions { get; set; } = 20;
}
