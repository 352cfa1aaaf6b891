namespace Crm.Duplicates;

/// <summary>
/// A tenant's duplicate detection, keyed by tenant: its matching rules, a scan of every customer (run when the rules
/// change, when asked, and when the tenant's customers first change), and the check of each customer
/// that changes, so that the candidate pairs stay up to date. Progress goes out on the tenant's duplicate-scan stream.
/// </summary>
[Alias("crm.duplicates-grain")]
public interface IDuplicatesGrain : IGrainWithStringKey
{
    [Alias("settings"), Orleans.Concurrency.ReadOnly]
    Task<DuplicateSettings> GetSettingsAsync();

    /// <summary>Saves the rules and scans every customer again with them.</summary>
    [Alias("save-settings")]
    Task SaveSettingsAsync(DuplicateSettings settings);

    /// <summary>Where the scan stands; answered at once, even while a round of checks is under way.</summary>
    [Alias("scan"), Orleans.Concurrency.AlwaysInterleave]
    Task<DuplicateScan> GetScanAsync();

    /// <summary>Starts a scan of every customer, unless one is running.</summary>
    [Alias("rescan")]
    Task<DuplicateScan> RescanAsync();

    /// <summary>These customers changed (or were created, deleted or merged): their candidate pairs are found again.</summary>
    [Alias("changed"), Orleans.Concurrency.OneWay]
    Task ChangedAsync(string[] customerIds);
}
