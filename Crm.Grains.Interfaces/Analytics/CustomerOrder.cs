using System.Globalization;
using Crm.Timeline;

namespace Crm.Analytics;

/// <summary>An order as value analysis reads it; a cancellation is one with a negative value, which takes value back.</summary>
public readonly record struct CustomerOrder(string CustomerId, DateTimeOffset At, decimal Value)
{
    public bool IsCancellation => Value < 0;

    /// <summary>
    /// An order interaction as an order: its value is its metadata's <c>value</c>, else <c>quantity</c> times
    /// <c>unitPrice</c> (as an invoices file imports), else nothing; keys in any case, numbers as JSON writes them.
    /// </summary>
    public static CustomerOrder? Of(Interaction interaction)
    {
        if (interaction.Channel != InteractionChannel.Order)
        {
            return null;
        }

        decimal? Number(string key) =>
            interaction.Metadata.FirstOrDefault(m => m.Key.Equals(key, StringComparison.OrdinalIgnoreCase)).Value is { } text
            && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : null;
        var value = Number("value") ?? Number("quantity") * Number("unitPrice") ?? 0m;
        return new CustomerOrder(interaction.CustomerId, interaction.OccurredAt, value);
    }
}
