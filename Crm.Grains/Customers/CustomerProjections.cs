using Crm.Ingestion;
using Crm.Segments;
using Crm.Storage;
using Microsoft.Extensions.Logging;

namespace Crm.Customers;

/// <summary>
/// What a customer's committed state implies outside the grain: its row in the customer directory, its claims in
/// the identity index, and the segments it entered or left. Written after each commit, re-asserted on activation, and
/// kept for another try every few seconds when a write fails, since the change itself is committed.
/// </summary>
/// <remarks>
/// Membership is judged here, where the customer changes, from the row before and after by the tenant's cached rules,
/// and published once the row is written, so that whoever follows a segment and reads the list finds the customer
/// as the change says. A change whose activation died before it was projected is re-asserted without one: what the
/// stream carries is a signal, and followers recount or re-read to be exact.
/// </remarks>
internal sealed partial class CustomerProjections(
    IGrainBase grain,
    CustomerKey key,
    ICustomerDirectory directory,
    IIdentityIndex index,
    IGrainFactory grains,
    int partitions,
    CustomerChangeSignals changes,
    SegmentRulesCache segments,
    TimeProvider time,
    ILogger logger)
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(5);

    private CustomerSummary? _row;
    /// <summary>What the last row written held for duplicate matching: a row that only counts an interaction more changes none of it.</summary>
    private (Duplicates.MatchProfile Match, object Attributes)? _written;
    private readonly HashSet<Identity> _claims = [];
    private readonly HashSet<Identity> _releases = [];
    private readonly List<(string From, IReadOnlySet<Identity> Identities)> _moves = [];
    /// <summary>The last row membership was judged on, and the last one the list took.</summary>
    private CustomerSummary? _judged, _listed;
    private readonly List<SegmentMembershipChange> _membership = [];
    private IGrainTimer? _retry;

    /// <summary>Called with the identities claimed or released, so that the state can stop listing them as pending.</summary>
    public Action<IReadOnlyCollection<Identity>>? Done { get; init; }

    /// <summary>Claims identities now: applying an event needs to know which it owns.</summary>
    public Task<IReadOnlySet<Identity>> ClaimAsync(IReadOnlyCollection<Identity> identities) => index.ClaimAsync(key, identities);

    /// <summary>The row and claims an earlier activation committed, again: membership moved then, if at all.</summary>
    public Task ReassertAsync(CustomerSummary row, IEnumerable<Identity> claims, IEnumerable<Identity> releases)
    {
        _judged = row;
        return SyncAsync(row, claims, releases);
    }

    /// <param name="row">The directory row, when the profile changed.</param>
    public async Task SyncAsync(CustomerSummary? row, IEnumerable<Identity> claims, IEnumerable<Identity> releases)
    {
        if (row is not null && !ReferenceEquals(row, _judged))
        {
            await JudgeMembershipAsync(row);
        }

        _row = row ?? _row;
        _claims.UnionWith(claims);
        _releases.UnionWith(releases);
        _claims.ExceptWith(_releases);
        await WriteAsync();
    }

    private async Task JudgeMembershipAsync(CustomerSummary row)
    {
        var before = _judged;
        _judged = row;
        try
        {
            _membership.AddRange(SegmentMembership.Changes(await segments.GetAsync(key.TenantId), before, row, time.GetUtcNow()));
        }
        catch (Exception ex)
        {
            // The change is committed whatever its followers hear; they catch up when they recount.
            LogMembershipNotJudged(ex, key);
        }
    }

    /// <summary>The identities of a customer merged into this one that this one takes over; its others are released.</summary>
    public Task MoveAsync(string fromCustomerId, IReadOnlySet<Identity> identities)
    {
        _moves.Add((fromCustomerId, identities));
        return WriteAsync();
    }

    private async Task WriteAsync()
    {
        try
        {
            if (_row is { } row)
            {
                await directory.UpsertAsync(row);
                _row = null;
                var matchChanged = row.Deleted || _written is not { } written || !written.Match.Equals(row.Match) || !ReferenceEquals(written.Attributes, row.Attributes);
                changes.Changed(key, matchChanged);
                _written = row.Deleted ? null : (row.Match, row.Attributes);
                _listed = row;
                if (_membership.Count > 0)
                {
                    grains.GetGrain<ISegmentMembershipBatcherGrain>(0).RecordAsync(key.TenantId, [.. _membership]).Ignore();
                    _membership.Clear();
                }
            }

            foreach (var (from, identities) in _moves.ToList())
            {
                await index.MoveAsync(new CustomerKey(key.TenantId, from), key, identities);
                _moves.RemoveAt(0);
            }

            if (_releases.Count > 0)
            {
                var releases = _releases.ToList();
                await index.ReleaseAsync(key, releases);
                _releases.ExceptWith(releases);
                ForgetEverywhere(releases);
                Done?.Invoke(releases);
            }

            if (_claims.Count > 0)
            {
                var claims = _claims.ToList();
                await index.ClaimAsync(key, claims);
                _claims.ExceptWith(claims);
                Done?.Invoke(claims);
            }

            _retry?.Dispose();
            _retry = null;
        }
        catch (Exception ex) when (TransientFailures.Is(ex))
        {
            LogWriteFailed(ex, key);
            _retry ??= grain.RegisterGrainTimer(_ => WriteAsync(), new GrainTimerCreationOptions(RetryEvery, RetryEvery) { KeepAlive = true });
        }
        catch (Exception ex)
        {
            // Not the database being away: trying again would fail again, forever. Drop it, loudly.
            LogWriteRefused(ex, key);
            _row = null;
            // What was judged against a row the list never took is judged again against the one it has.
            _membership.Clear();
            _judged = _listed;
            _moves.Clear();
            _claims.Clear();
            _releases.Clear();
            _retry?.Dispose();
            _retry = null;
        }
    }

    /// <summary>Identities handed to another customer (an undone merge): they must resolve afresh.</summary>
    public void Forget(IReadOnlyCollection<Identity> identities)
    {
        if (identities.Count > 0)
        {
            ForgetEverywhere(identities);
        }
    }

    /// <summary>The ingest processors remember who identities resolved to: a released one must resolve afresh.</summary>
    private void ForgetEverywhere(IReadOnlyCollection<Identity> released)
    {
        for (var partition = 0; partition < partitions; partition++)
        {
            grains.GetGrain<IIngestPartitionGrain>(partition).ForgetAsync(key.TenantId, [.. released]).Ignore();
        }
    }

    [LoggerMessage(LogLevel.Error, "Customer {CustomerKey}: the database refused its directory row or identity claims; they are not written")]
    private partial void LogWriteRefused(Exception exception, CustomerKey customerKey);

    [LoggerMessage(LogLevel.Warning, "Customer {CustomerKey}: the segments it entered or left are not known (the tenant's segments could not be read)")]
    private partial void LogMembershipNotJudged(Exception exception, CustomerKey customerKey);

    [LoggerMessage(LogLevel.Warning, "Customer {CustomerKey}: directory row or identity claims not written; retrying")]
    private partial void LogWriteFailed(Exception exception, CustomerKey customerKey);
}
