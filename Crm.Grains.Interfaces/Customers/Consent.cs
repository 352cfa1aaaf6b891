namespace Crm.Customers;

/// <summary>Channels a customer can consent to be contacted on.</summary>
public enum ConsentChannel
{
    Email = 0,
    Sms = 1,
    Call = 2,
    Post = 3,
    Push = 4,
}

public enum ConsentStatus
{
    Unknown = 0,
    Granted = 1,
    Denied = 2,
}

/// <summary>What the customer said about one channel, when, and where that was recorded.</summary>
[GenerateSerializer, Immutable, Alias("crm.consent")]
public sealed record Consent(
    [property: Id(0)] ConsentStatus Status,
    [property: Id(1)] DateTimeOffset UpdatedAt,
    [property: Id(2)] string? Source);
