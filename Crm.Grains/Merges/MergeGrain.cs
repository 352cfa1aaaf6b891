using System.Collections.Immutable;
using Crm.Customers;
using Crm.Security;
using Microsoft.Extensions.Logging;

namespace Crm.Merges;

/// <summary>
/// Carries out one merge and keeps its record. The record, with every customer as it was, is written before any
/// customer changes; each step after is one the customer grains do once however often asked, and a reminder that
/// lives as long as the merge is under way finishes one that a crash interrupted. Undo runs the same way back.
/// </summary>
public sealed partial class MergeGrain(IMergeLog log, TimeProvider time, ILogger<MergeGrain> logger) : Grain, IMergeGrain, IRemindable
{
    private const string ResumeReminder = "resume";
    private static readonly TimeSpan ResumeEvery = TimeSpan.FromMinutes(1);

    private MergeRecord? _record;
    private string _tenantId = "";
    private Guid _mergeId;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenantId, _mergeId) = MergeKey.Parse(this.GetPrimaryKeyString());
        _record = await log.GetAsync(_tenantId, _mergeId, cancellationToken);
    }

    public Task<MergeRecord?> GetAsync() => Task.FromResult(_record);

    public async Task<MergeRecord> MergeAsync(MergeRequest request, Actor actor)
    {
        if (_record is { } existing)
        {
            if (existing.Request.SurvivorId != request.SurvivorId || !existing.Request.MergedIds.SequenceEqual(request.MergedIds))
            {
                throw new MergeRefusedException("mergeId", $"Merge {_mergeId} is another merge.", conflict: true);
            }

            return existing.Status == MergeStatus.Merging ? await FinishMergeAsync(existing) : existing;
        }

        request.Validate();
        var customers = new List<Customer>();
        foreach (var id in request.MergedIds.Prepend(request.SurvivorId))
        {
            var grain = Customer(id);
            var customer = await grain.GetAsync();
            if (customer is null)
            {
                var standing = await grain.GetStandingAsync();
                throw standing.Kind == CustomerStandingKind.Merged
                    ? new MergeRefusedException(id == request.SurvivorId ? "survivorId" : "mergedIds", $"Customer '{id}' was merged into '{standing.MergedInto}' already.", conflict: true)
                    : new CustomerNotFoundException(id);
            }

            customers.Add(customer);
        }

        var record = new MergeRecord
        {
            Id = _mergeId,
            TenantId = _tenantId,
            Request = request,
            Status = MergeStatus.Merging,
            MergedBy = actor,
            MergedAt = time.GetUtcNow(),
            Before = [.. customers],
            After = MergedProfiles.Compose(customers, request.Fields),
        };
        await this.RegisterOrUpdateReminder(ResumeReminder, ResumeEvery, ResumeEvery);
        await SaveAsync(record);
        return await FinishMergeAsync(record);
    }

    public async Task<MergeRecord> UndoAsync(Actor actor)
    {
        var record = _record ?? throw new MergeRefusedException("mergeId", $"There is no merge {_mergeId}.");
        switch (record.Status)
        {
            case MergeStatus.Undone:
                return record;
            case MergeStatus.Merging:
                throw new MergeRefusedException("mergeId", "The merge is still under way.", conflict: true);
            case MergeStatus.Completed:
                var survivor = await Customer(record.SurvivorId).GetStandingAsync();
                if (survivor.Kind == CustomerStandingKind.Merged)
                {
                    throw new MergeRefusedException("mergeId", $"Customer '{record.SurvivorId}' was merged into '{survivor.MergedInto}' since: undo that merge first.", conflict: true);
                }

                if (survivor.Kind is CustomerStandingKind.Deleted or CustomerStandingKind.NotCreated)
                {
                    throw new MergeRefusedException("mergeId", $"Customer '{record.SurvivorId}' was deleted since.", conflict: true);
                }

                record = record with { Status = MergeStatus.Undoing, UndoneBy = actor, UndoneAt = time.GetUtcNow() };
                await this.RegisterOrUpdateReminder(ResumeReminder, ResumeEvery, ResumeEvery);
                await SaveAsync(record);
                break;
        }

        return await FinishUndoAsync(record);
    }

    public async Task ReceiveReminder(string reminderName, Orleans.Runtime.TickStatus status)
    {
        switch (_record?.Status)
        {
            case MergeStatus.Merging:
                await FinishMergeAsync(_record);
                break;
            case MergeStatus.Undoing:
                await FinishUndoAsync(_record);
                break;
            default:
                await StopResumingAsync();
                break;
        }
    }

    private async Task<MergeRecord> FinishMergeAsync(MergeRecord record)
    {
        var merged = ImmutableArray.CreateBuilder<Customer>();
        foreach (var before in record.Before.Skip(1))
        {
            // Returns what the customer is now, which is what it was before unless an event landed in between.
            merged.Add(await Customer(before.Id).MergeIntoAsync(record.SurvivorId, record.Id) ?? before);
        }

        await Customer(record.SurvivorId).TakeOverAsync(record.Id, merged.ToImmutable(), record.After, record.MergedBy);
        var completed = record with { Status = MergeStatus.Completed, Before = [record.Before[0], .. merged] };
        await SaveAsync(completed);
        await StopResumingAsync();
        LogMerged(_tenantId, _mergeId, record.SurvivorId, record.Request.MergedIds.Length, record.MergedBy.Id);
        return completed;
    }

    private async Task<MergeRecord> FinishUndoAsync(MergeRecord record)
    {
        var actor = record.UndoneBy!;
        await Customer(record.SurvivorId).UndoMergeAsync(record, actor);
        foreach (var before in record.Before.Skip(1))
        {
            await Customer(before.Id).RestoreFromMergeAsync(record.Id, before, actor);
        }

        var undone = record with { Status = MergeStatus.Undone };
        await SaveAsync(undone);
        await StopResumingAsync();
        LogUndone(_tenantId, _mergeId, actor.Id);
        return undone;
    }

    private async Task SaveAsync(MergeRecord record)
    {
        await log.SaveAsync(record);
        _record = record;
    }

    private async Task StopResumingAsync()
    {
        if (await this.GetReminder(ResumeReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private ICustomerGrain Customer(string id) => GrainFactory.GetGrain<ICustomerGrain>(new CustomerKey(_tenantId, id).ToString());

    [LoggerMessage(LogLevel.Information, "Tenant {TenantId}: merge {MergeId} folded {Count} customers into {Survivor} for {UserId}")]
    private partial void LogMerged(string tenantId, Guid mergeId, string survivor, int count, string userId);

    [LoggerMessage(LogLevel.Information, "Tenant {TenantId}: merge {MergeId} undone by {UserId}")]
    private partial void LogUndone(string tenantId, Guid mergeId, string userId);
}
