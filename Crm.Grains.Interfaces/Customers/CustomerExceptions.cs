namespace Crm.Customers;

[GenerateSerializer, Alias("crm.customer-not-found")]
public sealed class CustomerNotFoundException(string customerId) : Exception($"Customer '{customerId}' was not found.")
{
    [Id(0)] public string CustomerId { get; } = customerId;
}

[GenerateSerializer, Alias("crm.customer-already-exists")]
public sealed class CustomerAlreadyExistsException(string customerId) : Exception($"Customer '{customerId}' already exists.")
{
    [Id(0)] public string CustomerId { get; } = customerId;
}

/// <summary>The profile changed since the version the caller based its edit on.</summary>
[GenerateSerializer, Alias("crm.version-conflict")]
public sealed class VersionConflictException(long expectedVersion, long currentVersion)
    : Exception($"The customer is at version {currentVersion}, not {expectedVersion}: it was changed by someone else.")
{
    [Id(0)] public long ExpectedVersion { get; } = expectedVersion;
    [Id(1)] public long CurrentVersion { get; } = currentVersion;
}

/// <summary>The external id is already used by an interaction of another customer of the same tenant.</summary>
[GenerateSerializer, Alias("crm.external-id-conflict")]
public sealed class ExternalIdConflictException(string externalId)
    : Exception($"External id '{externalId}' already belongs to another customer's interaction.")
{
    [Id(0)] public string ExternalId { get; } = externalId;
}

/// <summary>The customer was merged into another one, which now holds its history and identities.</summary>
[GenerateSerializer, Alias("crm.customer-merged")]
public sealed class CustomerMergedException(string customerId, string mergedInto)
    : Exception($"Customer '{customerId}' was merged into '{mergedInto}'.")
{
    [Id(0)] public string CustomerId { get; } = customerId;
    [Id(1)] public string MergedInto { get; } = mergedInto;
}

/// <summary>Identified customers (known by a user id, an email or a phone) are never folded into others automatically.</summary>
[GenerateSerializer, Alias("crm.cannot-merge")]
public sealed class CannotMergeException(string customerId)
    : Exception($"Customer '{customerId}' is identified: it is not merged into another automatically.")
{
    [Id(0)] public string CustomerId { get; } = customerId;
}

/// <summary>An identity (such as an external id) that belongs to another customer of the tenant.</summary>
[GenerateSerializer, Alias("crm.identity-taken")]
public sealed class IdentityTakenException(string field, string value, string ownerId)
    : Exception($"'{value}' already identifies customer '{ownerId}'.")
{
    /// <summary>The field of the request that holds it, such as "externalId".</summary>
    [Id(0)] public string Field { get; } = field;
    [Id(1)] public string Value { get; } = value;
    [Id(2)] public string OwnerId { get; } = ownerId;
}
