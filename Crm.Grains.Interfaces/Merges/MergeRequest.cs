using System.Collections.Immutable;

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
}

/// <summary>A merge's grain key: "{tenant}/{mergeId}".</summary>
public static class MergeKey
{
    public static string Of(string tenantId, Guid mergeId) => $"{tenantId}/{mergeId:D}";

    public static (string TenantId, Guid MergeId) Parse(string key) => (key[..key.LastIndexOf('/')], Guid.Parse(key[(key.LastIndexOf('/') + 1)..]));
}
