namespace Crm;

/// <summary>Provider and stream names shared by every host, grain and client.</summary>
public static class Constants
{
    public const string StreamProvider = "crm";

    public const string GrainStorage = "crm";

    /// <summary>Orleans' streaming runtime looks its subscription store up by this exact name.</summary>
    public const string PubSubStorage = "PubSubStore";

    /// <summary>One stream per customer, keyed like the customer grain: "{tenant}/{customerId}".</summary>
    public const string CustomerStreamNamespace = "customer";

    /// <summary>Who is looking at a customer right now, keyed like the customer: ephemeral, not part of its history.</summary>
    public const string CustomerViewersStreamNamespace = "customer-viewers";
}
