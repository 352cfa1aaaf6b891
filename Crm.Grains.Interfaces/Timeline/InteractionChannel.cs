namespace Crm.Timeline;

public enum InteractionChannel
{
    Call = 0,
    Email = 1,
    Chat = 2,
    Sms = 3,
    Meeting = 4,
    Note = 5,
    /// <summary>Something the customer did on a web site.</summary>
    Web = 6,
    /// <summary>Something the customer did in a mobile or desktop app.</summary>
    App = 7,
    Order = 8,
    /// <summary>A support ticket, from a help desk.</summary>
    Ticket = 9,
}

public static class InteractionChannelExtensions
{
    /// <summary>Whether the channel is a conversation with the customer (as opposed to a note, an event or an order).</summary>
    public static bool IsContact(this InteractionChannel channel) => channel is
        InteractionChannel.Call or InteractionChannel.Email or InteractionChannel.Chat or
        InteractionChannel.Sms or InteractionChannel.Meeting;
}
