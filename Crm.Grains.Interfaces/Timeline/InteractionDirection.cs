namespace Crm.Timeline;

public enum InteractionDirection
{
    /// <summary>From the customer to us.</summary>
    Inbound = 0,
    /// <summary>From us to the customer.</summary>
    Outbound = 1,
    /// <summary>Neither: a note, or something recorded about the customer.</summary>
    Internal = 2,
}
