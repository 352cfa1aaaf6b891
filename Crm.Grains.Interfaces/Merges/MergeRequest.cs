using System.Collections.Immutable;
using Crm.Customers;

namespace Crm.Merges;

/// <summary>
/// Customers to fold into a survivor. <see cref="Fields"/> picks, by a profile field's API name, the customer whose
/// value wins; a field not named keeps the survivor's value, or takes the first merged customer's where the survivor
/// has none. Emails, phones and tags are combined from all of them (the chosen customer's first).
/// </summary>
[GenerateSerializer, Immutable, Alias("crm.merge-request")]
public sealed record MergeRequest(
    [property: Id(0)] string SurvivorId,
    [property: Id(1)] ImmutableArray<string> MergedIds,
    [property: Id(2)] ImmutableDictionary<string, string> Fields)
{
    public const int MaxMerged = 10;

    /// <exception cref="MergeRefusedException">No survivor, none or too many to merge, an id twice, or the survivor among them.</exception>
    public void Validate()
    {
        if (!CustomerKey.IsValidCustomerId(SurvivorId))
        {
            throw new MergeRefusedException("survivorId", "A survivor id is required.");
        }

        if (MergedIds.Length is 0 or > MaxMerged)
        {
            throw new MergeRefusedException("mergedIds", $"Merge 1 to {MaxMerged} customers into the survivor.");
        }

        if (MergedIds.FirstOrDefault(id => !CustomerKey.IsValidCustomerId(id)) is { } invalid)
        {
            throw new MergeRefusedException("mergedIds", $"'{invalid}' is not a customer id.");
        }

        if (MergedIds.Contains(SurvivorId))
        {
            throw new MergeRefusedException("mergedIds", "The survivor cannot be merged into itself.");
        }

        if (MergedIds.Distinct().Count() != MergedIds.Length)
        {
            throw new MergeRefusedException("mergedIds", "A customer is listed twice.");
        }
    }
}

/// <summary>A merge's grain key: "{tenant}/{mergeId}".</summary>
public static class MergeKey
{
    public static string Of(string tenantId, Guid mergeId) => $"{tenantId}/{mergeId:D}";

    public static (string TenantId, Guid MergeId) Parse(string key) => (key[..key.LastIndexOf('/')], Guid.Parse(key[(key.LastIndexOf('/') + 1)..]));
}
