using Crm.Ingestion;
using Crm.Security;
using Microsoft.Extensions.Logging;

namespace Crm.Customers;

/// <summary>Anonymous visitors folded into the customer they turn out to be: their timeline, identities and what the profile lacks.</summary>
public sealed partial class CustomerGrain
{
    private static readonly Actor MergeActor = new("identity-resolution", "Identity resolution");

    public async Task<Customer?> MergeIntoAsync(string survivorId)
    {
        if (!_state.RecordExists)
        {
            // Not created yet: marked all the same, so that an event on its way here is sent on to the survivor.
            await PersistAsync(new CustomerState { MergedInto = survivorId, DeletedAt = Now() });
            return null;
        }

        if (State.MergedInto is { } into)
        {
            return into == survivorId ? State.ToCustomer(_key.CustomerId) : throw new CustomerMergedException(_key.CustomerId, into);
        }

        if (State.IsIdentified)
        {
            throw new CannotMergeException(_key.CustomerId);
        }

        var merged = Snapshot();
        await CommitProfileAsync(State.Deleted(MergeActor, Now()) with { MergedInto = survivorId });
        LogMerged(_key, survivorId);
        return merged;
    }

    public async Task AbsorbAsync(string customerId)
    {
        EnsureNotMerged();
        EnsureExists();
        if (customerId == _key.CustomerId)
        {
            return;
        }

        var absorbed = await GrainFactory.GetGrain<ICustomerGrain>(new CustomerKey(_key.TenantId, customerId).ToString()).MergeIntoAsync(_key.CustomerId);
        var (next, moved) = await _timeline.TakeOverAsync(State, customerId);
        if (absorbed is not null)
        {
            var merged = next.WithProfile(FillGaps(next.Profile, absorbed.Profile), MergeActor, Now()) with
            {
                Identities = CustomerIdentities.Add(next.Identities, absorbed.Identities),
            };
            await PersistAsync(merged);
            // All the merged customer had that this one now claims, even when an earlier attempt moved some already.
            var theirs = new CustomerState { Profile = absorbed.Profile, Identities = absorbed.Identities }.Claims;
            await _projections.MoveAsync(customerId, merged.Claims.Where(theirs.Contains).ToHashSet());
            await _projections.SyncAsync(Summary(), [], []);
            await _publisher.PublishAsync(new CustomerChanged(Snapshot() with { Sequence = State.ProfileSequence }));
        }
        else if (moved.Count > 0)
        {
            _state.State = next;
            _writeBehind.Mark();
        }

        foreach (var interaction in moved)
        {
            await _publisher.PublishAsync(new InteractionAdded(interaction));
        }
    }

    /// <summary>What the survivor's profile lacks, taken from the merged one; what the survivor has stays.</summary>
    private static CustomerProfile FillGaps(CustomerProfile survivor, CustomerProfile merged) => survivor with
    {
        GivenName = survivor.GivenName ?? merged.GivenName,
        FamilyName = survivor.FamilyName ?? merged.FamilyName,
        Emails = [.. survivor.Emails.Union(merged.Emails).Take(CustomerIdentities.MaxPerKind[IdentityKind.Email])],
        Phones = [.. survivor.Phones.Union(merged.Phones).Take(CustomerIdentities.MaxPerKind[IdentityKind.Phone])],
        Company = survivor.Company ?? merged.Company,
        JobTitle = survivor.JobTitle ?? merged.JobTitle,
        Country = survivor.Country ?? merged.Country,
        Address = survivor.Address ?? merged.Address,
        Tags = [.. survivor.Tags.Union(merged.Tags)],
        Attributes = merged.Attributes.SetItems(survivor.Attributes),
    };

    [LoggerMessage(LogLevel.Information, "Customer {CustomerKey} merged into {Survivor}")]
    private partial void LogMerged(CustomerKey customerKey, string survivor);
}
