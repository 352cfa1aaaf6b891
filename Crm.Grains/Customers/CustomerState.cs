using System.Collections.Immutable;
using Crm.Ingestion;
using Crm.Security;
using Crm.Timeline;

namespace Crm.Customers;

/// <summary>
/// What a customer grain persists. Stored with Orleans' serializer under the aliases and ids below:
/// never renumber an [Id] or reuse one, or state written by earlier versions no longer reads back.
/// </summary>
[GenerateSerializer, Immutable, Alias("crm.customer-state")]
public sealed record CustomerState
{
    [Id(0)] public CustomerProfile Profile { get; init; } = new();
    [Id(1)] public long Version { get; init; }
    /// <summary>The latest change number: every profile edit, deletion and interaction takes the next one.</summary>
    [Id(2)] public long Sequence { get; init; }
    /// <summary>The change number of the latest profile edit or deletion.</summary>
    [Id(3)] public long ProfileSequence { get; init; }
    [Id(4)] public DateTimeOffset CreatedAt { get; init; }
    [Id(5)] public DateTimeOffset UpdatedAt { get; init; }
    [Id(6)] public Actor? CreatedBy { get; init; }
    [Id(7)] public Actor? UpdatedBy { get; init; }
    [Id(8)] public DateTimeOffset? DeletedAt { get; init; }
    [Id(9)] public CustomerActivity Activity { get; init; } = CustomerActivity.None;
    /// <summary>
    /// The latest interactions by sequence, oldest first; bounded. Not stored (they were most of every state write):
    /// rebuilt from the timeline when the grain activates. Id 10, which stored them once, stays retired.
    /// </summary>
    [field: NonSerialized] public ImmutableArray<Interaction> Recent { get; init; } = [];
    [Id(11)] public Engagement Engagement { get; init; } = Engagement.None;
    [Id(12)] public ImmutableArray<Identity> Identities { get; init; } = [];
    /// <summary>Set when this customer was merged into another: that one holds its history now.</summary>
    [Id(13)] public string? MergedInto { get; init; }
    /// <summary>
    /// The latest applied events that leave no timeline row (identify, group, alias), so that one delivered twice
    /// is applied once. Redeliveries only ever come from the last batch a processor had not checkpointed.
    /// </summary>
    [Id(14)] public ImmutableArray<string> RecentEventIds { get; init; } = [];
    /// <summary>
    /// When each profile field got its value (by its event's timestamp, or when someone edited it): an event's trait
    /// changes a field only if it is at least as recent, so the latest wins whatever order events arrive in.
    /// Keyed by the field's API name ("displayName", "attributes.plan").
    /// </summary>
    [Id(15)] public ImmutableDictionary<string, DateTimeOffset> FieldTimes { get; init; } = ImmutableDictionary<string, DateTimeOffset>.Empty;
    /// <summary>Identities this customer gave up (an email removed from its profile) whose claims are not released yet.</summary>
    [Id(16)] public ImmutableArray<Identity> PendingReleases { get; init; } = [];
    /// <summary>Identities this customer gained (an email added to its profile) that it has not claimed in the index yet.</summary>
    [Id(17)] public ImmutableArray<Identity> PendingClaims { get; init; } = [];
    /// <summary>The merge that merged this customer into <see cref="MergedInto"/>, when a person asked for it (and may undo it).</summary>
    [Id(18)] public Guid? MergeId { get; init; }
    /// <summary>
    /// The merge that holds this customer while it is carried out or undone: until it lets go, no other merge takes
    /// the customer and nobody deletes it, so that no merge is left half done by another.
    /// </summary>
    [Id(19)] public Guid? MergeLease { get; init; }
    /// <summary>The latest merge this customer survived, as its step made it: asked again, the step answers the same.</summary>
    [Id(20)] public Merges.SurvivedMerge? LastMerge { get; init; }
    [Id(21)] public Analytics.ValueSegmentAssignment? ValueSegment { get; init; }

    public const int MaxRecentEventIds = 200;

    public bool IsDeleted => DeletedAt is not null;

    /// <summary>An identified customer is one known by a user id, an email or a phone, not only by anonymous ids.</summary>
    public bool IsIdentified => Claims.Any(i => i.Kind != IdentityKind.Anonymous);

    /// <summary>Whether the identity is one of <see cref="Claims"/>, without building them.</summary>
    public bool Holds(Identity identity) => identity.Kind switch
    {
        IdentityKind.Email when Profile.Emails.Contains(identity.Value) => true,
        IdentityKind.Phone when Profile.Phones.Contains(identity.Value) => true,
        IdentityKind.User when identity.Value == Profile.ExternalId?.Trim() => true,
        _ => Identities.Contains(identity),
    };

    /// <summary>
    /// Every identity the customer should own in the identity index: the ones integrations know it by, and its
    /// profile's emails, phones and external id.
    /// </summary>
    public IReadOnlySet<Identity> Claims
    {
        get
        {
            var claims = new HashSet<Identity>(Identities);
            claims.UnionWith(Profile.Emails.Select(e => new Identity(IdentityKind.Email, e)));
            claims.UnionWith(Profile.Phones.Select(p => new Identity(IdentityKind.Phone, p)));
            if (IdentityRules.User(Profile.ExternalId) is { } externalId)
            {
                claims.Add(externalId);
            }

            return claims;
        }
    }

    /// <summary>The state of a customer as <see cref="ToCustomer"/> showed it (a tenant export): what it does not show starts empty.</summary>
    public static CustomerState Of(Customer customer) => new()
    {
        Profile = customer.Profile,
        Version = customer.Version,
        Sequence = customer.Sequence,
        ProfileSequence = customer.Sequence,
        CreatedAt = customer.CreatedAt,
        UpdatedAt = customer.UpdatedAt,
        CreatedBy = customer.CreatedBy,
        UpdatedBy = customer.UpdatedBy,
        Activity = customer.Activity,
        Engagement = customer.Engagement,
        Identities = customer.Identities,
        ValueSegment = customer.ValueSegment,
    };

    public Customer ToCustomer(string customerId) => new()
    {
        Id = customerId,
        Profile = Profile,
        Activity = Activity,
        Version = Version,
        Sequence = Sequence,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        CreatedBy = CreatedBy,
        UpdatedBy = UpdatedBy,
        Engagement = Engagement,
        Identities = Identities,
        ValueSegment = ValueSegment,
    };

    public CustomerState WithProfile(CustomerProfile profile, Actor actor, DateTimeOffset at) => this with
    {
        Profile = profile,
        Version = Version + 1,
        Sequence = Sequence + 1,
        ProfileSequence = Sequence + 1,
        UpdatedAt = at,
        UpdatedBy = actor,
    };

    /// <summary>
    /// A profile as someone edited it: the fields it changed count as of now, an email, phone or external id it removed
    /// is no longer one of the customer's identities, and their claims are to be released.
    /// </summary>
    public CustomerState Edited(CustomerProfile profile, Actor actor, DateTimeOffset at)
    {
        var kept = this with
        {
            Profile = profile,
            Identities = Identities.RemoveAll(i => i.Kind switch
            {
                IdentityKind.Email => Profile.Emails.Contains(i.Value) && !profile.Emails.Contains(i.Value),
                IdentityKind.Phone => Profile.Phones.Contains(i.Value) && !profile.Phones.Contains(i.Value),
                IdentityKind.User => i.Value == Profile.ExternalId && profile.ExternalId != Profile.ExternalId,
                _ => false,
            }),
        };
        var (before, after) = (Claims, kept.Claims);
        return (kept with
        {
            FieldTimes = ProfileFieldTimes.Edited(FieldTimes, Profile, profile, at),
            PendingReleases = [.. PendingReleases.Concat(before.Except(after)).Distinct().Where(i => !after.Contains(i))],
            PendingClaims = [.. PendingClaims.Concat(after.Except(before)).Distinct().Where(after.Contains)],
        }).WithProfile(profile, actor, at);
    }

    public CustomerState Deleted(Actor actor, DateTimeOffset at) => this with
    {
        Sequence = Sequence + 1,
        ProfileSequence = Sequence + 1,
        DeletedAt = at,
        UpdatedAt = at,
        UpdatedBy = actor,
    };

    public CustomerState Recorded(Interaction interaction, int keepRecent)
    {
        // One new array, however full: this runs for every interaction.
        ImmutableArray<Interaction> recent = Recent.Length < keepRecent
            ? Recent.Add(interaction)
            : [.. Recent.AsSpan()[(Recent.Length - keepRecent + 1)..], interaction];

        return this with
        {
            Sequence = Math.Max(Sequence, interaction.Sequence),
            Activity = Activity.Count(interaction),
            // Counted from the row, so that catching up with the timeline after a crash counts tracked events too.
            Engagement = interaction.EventType is { } type ? Engagement.Count(type, interaction.OccurredAt) : Engagement,
            Recent = recent,
        };
    }

    public CustomerState WithEventId(string messageId) => this with
    {
        RecentEventIds = RecentEventIds.Length < MaxRecentEventIds
            ? RecentEventIds.Add(messageId)
            : RecentEventIds.RemoveAt(0).Add(messageId),
    };

    /// <summary>
    /// The interactions after a sequence number, if <see cref="Recent"/> holds all of them:
    /// either it holds the whole timeline, or it reaches back to the one right after that number.
    /// </summary>
    public bool TryGetRecentSince(long afterSequence, out IEnumerable<Interaction> interactions)
    {
        var holdsAll = Activity.TotalInteractions == Recent.Length;
        var reachesBack = Recent.Length > 0 && Recent[0].Sequence <= afterSequence + 1;
        interactions = Recent.Where(i => i.Sequence > afterSequence);
        return holdsAll || reachesBack;
    }
}
