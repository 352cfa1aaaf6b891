using Crm.Customers;
using Crm.Timeline;

namespace Crm.Tests.Infrastructure;

public static class TimelineStoreExtensions
{
    /// <summary>One interaction appended alone, as a grain with one new interaction appends it.</summary>
    public static async Task<InteractionAppendResult> AppendAsync(this ITimelineStore store, CustomerKey customer, Interaction interaction) =>
        (await store.AppendAsync(customer, [interaction]))[0];
}
