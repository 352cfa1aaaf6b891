using System.Collections.Concurrent;
using System.Collections.Immutable;
using Crm.Customers;
using Crm.DataQuality;
using Crm.Web.Customers;

namespace Crm.Web.DataQuality;

/// <summary>
/// Scans every customer of a tenant against its rules, a page of the customer list at a time (memory holds counts and
/// a few examples, never the customers), in the background, one scan per tenant at a time; the report goes to the
/// tenant's data quality grain, which keeps the trend.
/// </summary>
public sealed partial class DataQualityScanner(
    ICustomerDirectory directory, IGrainFactory grains, CustomerProfiles profiles, TimeProvider time, ILogger<DataQualityScanner> logger)
{
    private const int Examples = 20;
    private const int WorstKept = 20;

    private readonly ConcurrentDictionary<string, Scan> _scans = new();

    /// <summary>How far the tenant's running scan is, if one runs here.</summary>
    public long? Scanned(string tenantId) => _scans.TryGetValue(tenantId, out var scan) ? scan.Scanned : null;

    /// <returns>False when a scan of the tenant runs already.</returns>
    public bool Start(string tenantId)
    {
        var scan = new Scan();
        if (!_scans.TryAdd(tenantId, scan))
        {
            return false;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                var report = await RunAsync(tenantId, scan);
                await grains.GetGrain<IDataQualityGrain>(tenantId).AddReportAsync(report);
            }
            catch (Exception ex)
            {
                LogScanFailed(ex, tenantId);
            }
            finally
            {
                _scans.TryRemove(tenantId, out _);
            }
        });
        return true;
    }

    public async Task<DataQualityReport> RunAsync(string tenantId, Scan scan)
    {
        var rules = await grains.GetGrain<IDataQualityGrain>(tenantId).GetRulesAsync();
        var fields = await profiles.FieldsAsync(tenantId);
        var now = time.GetUtcNow();
        var filled = new Dictionary<string, long>(StringComparer.Ordinal);
        var problems = new Dictionary<(string Rule, string Field), (long Count, List<string> Examples)>();
        var buckets = new long[10];
        var worst = new List<ScoredCustomer>();
        double total = 0;
        var search = new CustomerSearch(tenantId, null, null, CustomerSearch.MaxLimit);
        for (var page = await directory.SearchAsync(search); ; page = await directory.SearchAsync(search))
        {
            var customers = await Task.WhenAll(page.Items.Select(c => grains.GetGrain<ICustomerGrain>(c.Key.ToString()).GetAsync()));
            foreach (var customer in customers.OfType<Customer>())
            {
                var quality = CustomerQuality.Of(customer, rules, fields, now);
                scan.Scanned++;
                total += quality.Score;
                buckets[Math.Min(9, (int)(quality.Score / 10))]++;
                quality.Filled.ToList().ForEach(f => filled[f] = filled.GetValueOrDefault(f) + 1);
                foreach (var problem in quality.Problems.Distinct())
                {
                    var (count, examples) = problems.GetValueOrDefault(problem, (0, []));
                    if (examples.Count < Examples)
                    {
                        examples.Add(customer.Id);
                    }

                    problems[problem] = (count + 1, examples);
                }

                if (quality.Score < 100 && (worst.Count < WorstKept || quality.Score < worst[^1].Score))
                {
                    worst.Add(new ScoredCustomer(customer.Id, quality.Score));
                    worst = [.. worst.OrderBy(w => w.Score).Take(WorstKept)];
                }
            }

            if (page.Next is null)
            {
                break;
            }

            search = search with { After = page.Next };
        }

        var scanned = scan.Scanned;
        return new DataQualityReport(
            now,
            scanned,
            scanned == 0 ? 100 : Math.Round(total / scanned, 1),
            CustomerQuality.UsualFields.Concat(rules.Required).Distinct()
                .ToImmutableDictionary(f => f, f => scanned == 0 ? 1 : Math.Round((double)filled.GetValueOrDefault(f) / scanned, 4)),
            [.. problems.OrderByDescending(p => p.Value.Count).Select(p => new DataQualityProblem(p.Key.Rule, p.Key.Field, p.Value.Count, [.. p.Value.Examples]))],
            [.. buckets],
            [.. worst],
            rules);
    }

    public sealed class Scan
    {
        public long Scanned { get; set; }
    }

    [LoggerMessage(LogLevel.Error, "Tenant {TenantId}: the data quality scan failed")]
    private partial void LogScanFailed(Exception exception, string tenantId);
}
