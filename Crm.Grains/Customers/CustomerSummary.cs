using System.Collections.Immutable;

namespace Crm.Customers;

/// <summary>A customer's row in the tenant's customer list: what listing and search show and match on.</summary>
public sealed record CustomerSummary
{
    public required CustomerKey Key { get; init; }
    public required string DisplayName { get; init; }
    public string? PrimaryEmail { get; init; }
    public string? PrimaryPhone { get; init; }
    public string? Company { get; init; }
    public LifecycleStage Lifecycle { get; init; }
    public ImmutableArray<string> Tags { get; init; } = [];
    public string? Country { get; init; }
    public string? OwnerId { get; init; }
    public ConsentStatus EmailConsent { get; init; }
    public ImmutableDictionary<string, AttributeValue> Attributes { get; init; } = ImmutableDictionary<string, AttributeValue>.Empty;
    public long TotalInteractions { get; init; }
    public DateTimeOffset? LastContactAt { get; init; }
    /// <summary>The value segment's name, as its rules compare it.</summary>
    public string? ValueSegment { get; init; }
    /// <summary>Everything search matches on, lower-cased: names, every email and phone, company, and the user ids integrations know the customer by.</summary>
    public required string SearchText { get; init; }
    /// <summary>What finds the customer by a name typed with a slip (see <see cref="SearchTypos"/>).</summary>
    public ImmutableArray<int> TypoKeys { get; init; } = [];
    /// <summary>What duplicate detection compares.</summary>
    public Duplicates.MatchProfile Match { get; init; } = new();
    /// <summary>The customer's change number when this row was written; an older row never replaces a newer one.</summary>
    public long Sequence { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public bool Deleted { get; init; }

    /// <summary>Customers are listed by name unless asked otherwise; the id breaks ties so that paging is stable.</summary>
    public CustomerListCursor Position => CustomerSort.Default.PositionOf(this);

    public static CustomerSummary Of(CustomerKey key, Customer customer, bool deleted)
    {
        var profile = customer.Profile;
        var names = new[] { profile.DisplayName, profile.GivenName, profile.FamilyName, profile.Company };
        var lowered = names.OfType<string>().Select(n => n.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        var searchable = names
            // José is found by "jose" too, O'Brien by "obrien": the names again folded, where that differs.
            .Concat(names.OfType<string>().Select(SearchFolding.Fold).Where(folded => !lowered.Contains(folded)))
            .Concat(profile.Emails)
            .Concat(profile.Phones)
            .Concat(profile.Phones.SelectMany(TelephoneNumbers.SearchForms))
            .Concat(customer.Identities.Where(i => i.Kind == Ingestion.IdentityKind.User).Select(i => i.Value))
            .Where(s => !string.IsNullOrEmpty(s));
        return new CustomerSummary
        {
            Key = key,
            DisplayName = profile.DisplayName,
            PrimaryEmail = profile.Emails.FirstOrDefault(),
            PrimaryPhone = profile.Phones.FirstOrDefault(),
            Company = profile.Company,
            Lifecycle = profile.Lifecycle,
            Tags = profile.Tags,
            Country = profile.Country,
            OwnerId = profile.OwnerId,
            EmailConsent = profile.Consent.TryGetValue(ConsentChannel.Email, out var email) ? email.Status : ConsentStatus.Unknown,
            Attributes = profile.Attributes,
            TotalInteractions = customer.Activity.TotalInteractions,
            ValueSegment = customer.ValueSegment?.Name,
            LastContactAt = customer.Activity.LastContactAt,
            SearchText = string.Join(' ', searchable).ToLowerInvariant(),
            TypoKeys = SearchTypos.KeysOf(names),
            Match = Duplicates.MatchProfile.Of(profile),
            Sequence = customer.Sequence,
            CreatedAt = customer.CreatedAt,
            UpdatedAt = customer.UpdatedAt,
            Deleted = deleted,
        };
    }
}
