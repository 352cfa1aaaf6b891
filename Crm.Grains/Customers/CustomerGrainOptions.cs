namespace Crm.Customers;

public sealed class CustomerGrainOptions
{
    public const string Section = "Crm:Customers";

    /// <summary>How many of the latest interactions the grain keeps in its state, to answer catch-ups without a query.</summary>
    public int RecentInteractions { get; set; } = 20;

    /// <summary>
    /// How long counters may wait before the grain writes them after an interaction. They are rebuilt from the
    /// timeline if the process dies first, so this trades nothing but catch-up work for fewer writes.
    /// </summary>
    public TimeSpan StateWriteBehind { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a watch keeps the grain publishing its changes; web nodes renew theirs every 30 s. A new activation
    /// publishes for one lease unasked, so that watches from before it was deactivated carry on until renewed.
    /// </summary>
    public TimeSpan WatchLease { get; set; } = TimeSpan.FromSeconds(90);
}
