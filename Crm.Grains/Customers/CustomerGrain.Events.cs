using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Crm.Analytics;
using Crm.Ingestion;
using Crm.Security;
using Crm.Storage;
using Crm.Timeline;

namespace Crm.Customers;

/// <summary>What integrations send: events applied to the customer, and anonymous visitors merged into known customers.</summary>
public sealed partial class CustomerGrain
{
    private const int MaxMetadata = 50;
    private static readonly Actor MergeActor = new("identity-resolution", "Identity resolution");

    public async Task<bool> ApplyEventAsync(IngestEvent ingested, ImmutableArray<Identity> identities)
    {
        EnsureNotMerged();
        if (state.RecordExists && state.State.IsDeleted)
        {
            return false;
        }

        var source = new Actor(ingested.SourceId.ToString(), ingested.SourceName);
        var created = !state.RecordExists;
        var current = created
            ? new CustomerState { CreatedAt = Now(), CreatedBy = source, Profile = new CustomerProfile { DisplayName = PlaceholderName(identities) } }
            : state.State;
        var leavesRow = ingested.Type is IngestEventType.Track or IngestEventType.Page or IngestEventType.Screen;
        if (!leavesRow && current.RecentEventIds.Contains(ingested.MessageId))
        {
            return false;
        }

        var profile = ingested.Type switch
        {
            IngestEventType.Identify => ProfileTraits.Apply(current.Profile, ingested.Traits),
            IngestEventType.Group => ProfileTraits.Apply(current.Profile, GroupTraits(ingested)),
            _ => current.Profile,
        };
        var next = current with { Identities = CustomerIdentities.Add(current.Identities, identities) };
        if (!leavesRow)
        {
            next = next.WithEventId(ingested.MessageId) with { Engagement = next.Engagement.Count(DbText.From(ingested.Type), ingested.Timestamp) };
        }

        if (created || (!ReferenceEquals(profile, current.Profile) && !Equivalent(profile, current.Profile)))
        {
            await CommitProfileAsync(next.WithProfile(profile, source, Now()));
        }
        else if (!leavesRow || next.Identities != current.Identities)
        {
            // Nothing on the timeline records these, so the state is their record: written now, not behind.
            await PersistAsync(next);
        }

        var interaction = leavesRow ? ToInteraction(ingested, source) : null;
        var applied = interaction is null
            || (await AppendAsync(interaction)).Created;
        if (applied)
        {
            RecordActivity(DbText.From(ingested.Type), interaction?.Channel, ingested.Type == IngestEventType.Track ? ingested.Name : null,
                interaction?.Agent, ingested.Timestamp, newCustomer: created);
        }

        return applied;
    }

    public Task<CustomerStanding> GetStandingAsync() => Task.FromResult(
        !state.RecordExists ? new CustomerStanding(CustomerStandingKind.NotCreated)
        : state.State.MergedInto is { } into ? new CustomerStanding(CustomerStandingKind.Merged, into)
        : state.State.IsDeleted ? new CustomerStanding(CustomerStandingKind.Deleted)
        : state.State.IsIdentified ? new CustomerStanding(CustomerStandingKind.Identified)
        : new CustomerStanding(CustomerStandingKind.Anonymous));

    public async Task<Customer?> MergeIntoAsync(string survivorId)
    {
        if (!state.RecordExists)
        {
            var now = Now();
            await PersistAsync(new CustomerState { CreatedAt = now, DeletedAt = now, UpdatedAt = now, MergedInto = survivorId, CreatedBy = MergeActor });
            LogMerged(_key, survivorId);
            return null;
        }

        if (state.State.MergedInto is { } into)
        {
            return into == survivorId ? state.State.ToCustomer(_key.CustomerId) : throw new CustomerMergedException(_key.CustomerId, into);
        }

        var merged = Snapshot();
        await CommitProfileAsync(state.State.Deleted(MergeActor, Now()) with { MergedInto = survivorId });
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

        var absorbedKey = new CustomerKey(_key.TenantId, customerId);
        var absorbed = await GrainFactory.GetGrain<ICustomerGrain>(absorbedKey.ToString()).MergeIntoAsync(_key.CustomerId);
        var moved = await timeline.MoveAsync(absorbedKey, _key, state.State.Sequence + 1);
        var next = moved.Aggregate(state.State, (s, i) => s.Recorded(i, options.Value.RecentInteractions));
        state.State = next;
        foreach (var interaction in moved)
        {
            await PublishAsync(new InteractionAdded(interaction));
        }

        if (absorbed is not null)
        {
            await CommitProfileAsync(next.WithProfile(FillGaps(next.Profile, absorbed.Profile), MergeActor, Now()) with
            {
                Identities = CustomerIdentities.Add(next.Identities, absorbed.Identities),
            });
            foreach (var identity in absorbed.Identities)
            {
                await GrainFactory.GetGrain<IIdentityGrain>($"{_key.TenantId}/{identity.Key}").ReassignAsync(customerId, _key.CustomerId);
            }
        }
        else if (moved.Count > 0)
        {
            WriteStateBehind();
        }
    }

    private void RecordActivity(string type, InteractionChannel? channel, string? eventName, Actor? agent, DateTimeOffset at, bool newCustomer = false) =>
        (_activity ??= GrainFactory.GetGrain<IActivityBatcherGrain>(0)).RecordAsync(_key.TenantId, new Activity
        {
            CustomerId = _key.CustomerId,
            Type = type,
            Channel = channel,
            EventName = eventName,
            Agent = agent,
            At = at,
            NewCustomer = newCustomer,
        }).Ignore();

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

    private static bool Equivalent(CustomerProfile a, CustomerProfile b) =>
        JsonSerializer.Serialize(a) == JsonSerializer.Serialize(b);

    private static string PlaceholderName(ImmutableArray<Identity> identities) =>
        identities.FirstOrDefault(i => i.Kind == IdentityKind.Email)?.Value
        ?? identities.FirstOrDefault(i => i.Kind == IdentityKind.User)?.Value
        ?? "Anonymous visitor";

    private static string? GroupTraits(IngestEvent ingested)
    {
        // A group call names the account the person belongs to: its name is the customer's company.
        using var traits = JsonDocument.Parse(ingested.Traits ?? "{}");
        var name = traits.RootElement.ValueKind == JsonValueKind.Object && traits.RootElement.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String
            ? n.GetString()
            : null;
        return JsonSerializer.Serialize(new Dictionary<string, string?> { ["company"] = name, ["groupId"] = ingested.GroupId });
    }

    private static InteractionChannel ChannelOf(IngestEvent ingested)
    {
        var name = ingested.Name ?? "";
        return ingested.Type switch
        {
            IngestEventType.Page => InteractionChannel.Web,
            IngestEventType.Screen => InteractionChannel.App,
            _ when name is "Order Completed" or "Order Placed" => InteractionChannel.Order,
            _ when name.StartsWith("Ticket", StringComparison.OrdinalIgnoreCase) => InteractionChannel.Ticket,
            _ when name.StartsWith("Call", StringComparison.OrdinalIgnoreCase) => InteractionChannel.Call,
            _ when ingested.Context?.Contains("\"app\"", StringComparison.Ordinal) == true => InteractionChannel.App,
            _ => InteractionChannel.Web,
        };
    }

    /// <summary>A tracked event, page view or screen as a timeline entry, identified by its message id.</summary>
    private static NewInteraction ToInteraction(IngestEvent ingested, Actor source)
    {
        using var document = JsonDocument.Parse(ingested.Properties ?? "{}");
        var properties = document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement : default;
        string? Text(string name) =>
            properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.String or JsonValueKind.Number
                ? v.ToString()
                : null;

        var channel = ChannelOf(ingested);
        var subject = ingested.Type switch
        {
            IngestEventType.Page => $"Viewed {ingested.Name ?? Text("title") ?? Text("path") ?? "a page"}",
            IngestEventType.Screen => $"Viewed {ingested.Name ?? "a screen"} screen",
            _ when Text("subject") is { } topic => $"{ingested.Name}: {topic}",
            _ => ingested.Name,
        };
        var metadata = properties.ValueKind == JsonValueKind.Object
            ? properties.EnumerateObject()
                .Where(p => p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
                .Take(MaxMetadata)
                .ToImmutableDictionary(p => p.Name, p => p.Value.ToString() is { Length: > 2000 } text ? text[..2000] : p.Value.ToString())
            : ImmutableDictionary<string, string>.Empty;
        return new NewInteraction
        {
            Channel = channel,
            Direction = Text("direction") is "outbound" ? InteractionDirection.Outbound : InteractionDirection.Inbound,
            OccurredAt = ingested.Timestamp,
            Agent = Text("agent") is { } agent ? new Actor($"{source.Id}:{agent}", agent) : null,
            Subject = subject is { Length: > 500 } ? subject[..500] : subject,
            Body = Text("description") ?? Text("url") ?? (channel == InteractionChannel.Order ? OrderSummary(Text) : null),
            DurationSeconds = int.TryParse(Text("durationSeconds") ?? Text("duration"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var duration) && duration >= 0
                ? duration
                : null,
            Outcome = Text("outcome") ?? Text("status"),
            ExternalId = ingested.MessageId,
            Metadata = metadata,
            RecordedBy = source,
            EventType = DbText.From(ingested.Type),
        };
    }

    private static string? OrderSummary(Func<string, string?> property) =>
        (property("total") ?? property("revenue")) is { } total ? $"{total} {property("currency") ?? ""}".Trim() : null;
}
