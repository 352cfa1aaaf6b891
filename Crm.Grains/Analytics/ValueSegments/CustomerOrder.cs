namespace Crm.Analytics;

/// <summary>An order as value analysis reads it; a cancellation is one with a negative value, which takes value back.</summary>
public readonly record struct CustomerOrder(string CustomerId, DateTimeOffset At, decimal Value)
{
    public bool IsCancellation => Value < 0;
}
