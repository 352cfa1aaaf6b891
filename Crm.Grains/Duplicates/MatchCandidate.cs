using System.Collections.Immutable;
using Crm.Customers;

namespace Crm.Duplicates;

/// <summary>A customer as duplicate detection reads it from the customer list.</summary>
public sealed record MatchCandidate(
    string CustomerId,
    MatchProfile Profile,
    ImmutableDictionary<string, AttributeValue> Attributes,
    DateTimeOffset CreatedAt);

/// <summary>A customer that changed (or is being scanned) and the customers it shares a blocking key with.</summary>
public sealed record MatchBlock(MatchCandidate Customer, IReadOnlyList<MatchCandidate> Candidates);
