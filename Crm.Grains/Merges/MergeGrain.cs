using System.Collections.Immutable;
using Crm.Customers;
using Crm.Security;
using Microsoft.Extensions.Logging;

namespace Crm.Merges;

/// <summary>
/// Carries out one merge and keeps its record. The record is written before any customer changes, then every
/// customer is held for the merge (see <see cref="ICustomerGrain.ReserveForMergeAsync"/>) and recorded as it was;
/// each step after is one the customer grains do once however often asked, and a reminder that lives as long as the
/// merge is under way finishes one that a crash interrupted. Undo runs the same way back.
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
            if (existing.Request.SurvivorId != request.SurvivorId || !existing.Request.MergedIds.SequenceEqual(request.MergedIds)
                || existing.Request.Fields.Count != request.Fields.Count || existing.Request.Fields.Except(request.Fields).Any())
            {
                throw new MergeRefusedException("id", $"Merge {_mergeId} is another merge.", conflict: true);
            }

            return existing.Status switch
            {
                MergeStatus.Merging => await FinishMergeAsync(existing),
                MergeStatus.Failed => throw new MergeRefusedException(existing.Failure!.Field, existing.Failure.Reason, conflict: true),
                MergeStatus.Undoing or MergeStatus.Undone => throw new MergeRefusedException("id", $"Merge {_mergeId} was undone: a merge of these customers now is a new one.", conflict: true),
                _ => existing,
            };
        }

        request.Validate();
        var record = new MergeRecord
        {
            Id = _mergeId,
            TenantId = _tenantId,
            Request = request,
            Status = MergeStatus.Merging,
            MergedBy = actor,
            MergedAt = time.GetUtcNow(),
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
            case MergeStatus.Failed:
                throw new MergeRefusedException("mergeId", "The merge failed and changed nothing: there is nothing to undo.", conflict: true);
            case MergeStatus.Completed:
                record = record with { Status = MergeStatus.Undoing, UndoneBy = actor, UndoneAt = time.GetUtcNow() };
                await this.RegisterOrUpdateReminder(ResumeReminder, ResumeEvery, ResumeEvery);
                await SaveAsync(record);
                break;
        }

        return await FinishUndoAsync(record);
    }

    public async Task ReceiveReminder(string reminderName, Orleans.Runtime.TickStatus status)
    {
        try
        {
            switch (_record?.Status)
            {
                case MergeStatus.Merging:
                    await FinishMergeAsync(_record);
                    break;
                case MergeStatus.Undoing:
                    await FinishUndoAsync(_record);
                    break;
                case { } ended:
                    // Recorded done, but letting go of its customers had failed.
                    await ReleaseAsync(_record, survivorOnly: ended == MergeStatus.Completed);
                    await StopResumingAsync();
                    break;
                default:
                    await StopResumingAsync();
                    break;
            }
        }
        catch (Exception ex) when (IsRefusal(ex))
        {
            // The merge failed, or the undo was refused, and its record says so: nobody is waiting for the answer.
            LogResumeRefused(_tenantId, _mergeId, ex.Message);
        }
    }

    /// <summary>
    /// Holds every customer, then marks the merged ones merged and has the survivor take them over. A customer that
    /// refuses (deleted, merged elsewhere, held by another merge) fails the merge and every customer is put back.
    /// </summary>
    private async Task<MergeRecord> FinishMergeAsync(MergeRecord record)
    {
        if (record.Before.IsEmpty)
        {
            record = await ReserveAsync(record);
        }

        try
        {
            var merged = ImmutableArray.CreateBuilder<Customer>();
            foreach (var before in record.Before.Skip(1))
            {
                // Returns what the customer is now, which is what it was before unless an event landed in between.
                merged.Add(await Customer(before.Id).MergeIntoAsync(record.SurvivorId, record.Id) ?? before);
            }

            var survived = await Customer(record.SurvivorId).TakeOverAsync(record.Id, merged.ToImmutable(), record.Request.Fields, record.MergedBy);
            var completed = record with { Status = MergeStatus.Completed, Before = [survived.Before, .. merged], After = survived.After };
            // The survivor stays held until this is recorded, so that nothing else can change what a resumed merge finds.
            await SaveAsync(completed);
            await ReleaseAsync(completed, survivorOnly: true);
            await StopResumingAsync();
            LogMerged(_tenantId, _mergeId, record.SurvivorId, record.Request.MergedIds.Length, record.MergedBy.Id);
            return completed;
        }
        catch (Exception ex) when (IsRefusal(ex))
        {
            // Only a step before the survivor took anything over refuses: every customer is put back where it stands.
            foreach (var id in record.Request.MergedIds)
            {
                await Customer(id).RollBackMergeIntoAsync(record.Id);
            }

            await Customer(record.SurvivorId).ReleaseMergeAsync(record.Id);
            var failure = ex is MergeRefusedException refused ? new MergeFailure(refused.Field, refused.Message) : new MergeFailure("mergedIds", ex.Message);
            await SaveAsync(record with { Status = MergeStatus.Failed, Failure = failure });
            await StopResumingAsync();
            LogFailed(_tenantId, _mergeId, failure.Reason);
            throw;
        }
    }

    /// <summary>The customers held for the merge, as they are, with the survivor their field choices would make.</summary>
    /// <exception cref="MergeRefusedException">One is merged or held by another merge: the merge is forgotten.</exception>
    private async Task<MergeRecord> ReserveAsync(MergeRecord record)
    {
        var ids = record.Request.MergedIds.Prepend(record.SurvivorId).ToList();
        try
        {
            var customers = new List<Customer>();
            foreach (var id in ids)
            {
                customers.Add(await ReserveAsync(id, id == record.SurvivorId ? "survivorId" : "mergedIds"));
            }

            var reserved = record with { Before = [.. customers], After = MergedProfiles.Compose(customers, record.Request.Fields) };
            await SaveAsync(reserved);
            return reserved;
        }
        catch (Exception ex) when (IsRefusal(ex))
        {
            await ReleaseAsync(record, survivorOnly: false);
            await ForgetAsync();
            await StopResumingAsync();
            throw;
        }
    }

    private async Task<Customer> ReserveAsync(string customerId, string field)
    {
        try
        {
            return await Customer(customerId).ReserveForMergeAsync(_mergeId);
        }
        catch (CustomerMergedException merged)
        {
            throw new MergeRefusedException(field, $"Customer '{customerId}' was merged into '{merged.MergedInto}' already.", conflict: true);
        }
        catch (MergeRefusedException held)
        {
            throw new MergeRefusedException(field, held.Message, conflict: true);
        }
    }

    /// <summary>
    /// Holds the survivor, and each merged customer as it comes back, until the undo is recorded, so that nothing
    /// deletes or merges them while it is under way; each step is one a customer does once however often asked.
    /// </summary>
    private async Task<MergeRecord> FinishUndoAsync(MergeRecord record)
    {
        var survivor = Customer(record.SurvivorId);
        try
        {
            await survivor.ReserveForMergeAsync(record.Id);
        }
        catch (Exception ex) when (IsRefusal(ex))
        {
            await SaveAsync(record with { Status = MergeStatus.Completed, UndoneBy = null, UndoneAt = null });
            await StopResumingAsync();
            throw ex switch
            {
                CustomerMergedException merged => new MergeRefusedException("mergeId", $"Customer '{record.SurvivorId}' was merged into '{merged.MergedInto}' since: undo that merge first.", conflict: true),
                CustomerNotFoundException => new MergeRefusedException("mergeId", $"Customer '{record.SurvivorId}' was deleted since.", conflict: true),
                _ => new MergeRefusedException("mergeId", ex.Message, conflict: true),
            };
        }

        var actor = record.UndoneBy!;
        await survivor.UndoMergeAsync(record, actor);
        foreach (var before in record.Before.Skip(1))
        {
            await Customer(before.Id).RestoreFromMergeAsync(record.Id, before, actor);
        }

        var undone = record with { Status = MergeStatus.Undone };
        await SaveAsync(undone);
        await ReleaseAsync(undone, survivorOnly: false);
        await StopResumingAsync();
        LogUndone(_tenantId, _mergeId, actor.Id);
        return undone;
    }

    private async Task ReleaseAsync(MergeRecord record, bool survivorOnly)
    {
        foreach (var id in survivorOnly ? [record.SurvivorId] : record.Request.MergedIds.Prepend(record.SurvivorId))
        {
            await Customer(id).ReleaseMergeAsync(record.Id);
        }
    }

    /// <summary>A customer's answer that it cannot take part as asked; anything else is a failure to retry.</summary>
    private static bool IsRefusal(Exception ex) => ex is MergeRefusedException or CustomerNotFoundException or CustomerMergedException or CannotMergeException;

    private async Task SaveAsync(MergeRecord record)
    {
        await WriteAsync(() => log.SaveAsync(record));
        _record = record;
    }

    private async Task ForgetAsync()
    {
        await WriteAsync(() => log.DeleteAsync(_tenantId, _mergeId));
        _record = null;
    }

    private async Task WriteAsync(Func<Task> write)
    {
        try
        {
            await write();
        }
        catch
        {
            // Whether it landed is unknown: the next call reads the record again rather than go on from a guess.
            DeactivateOnIdle();
            throw;
        }
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

    [LoggerMessage(LogLevel.Warning, "Tenant {TenantId}: merge {MergeId} failed and was rolled back: {Reason}")]
    private partial void LogFailed(string tenantId, Guid mergeId, string reason);

    [LoggerMessage(LogLevel.Warning, "Tenant {TenantId}: merge {MergeId}, resumed, was refused: {Reason}")]
    private partial void LogResumeRefused(string tenantId, Guid mergeId, string reason);

    [LoggerMessage(LogLevel.Information, "Tenant {TenantId}: merge {MergeId} undone by {UserId}")]
    private partial void LogUndone(string tenantId, Guid mergeId, string userId);
}
