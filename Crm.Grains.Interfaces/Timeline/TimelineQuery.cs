namespace Crm.Timeline;

[GenerateSerializer, Immutable, Alias("crm.timeline-query")]
public sealed record TimelineQuery
{
    public const int MaxLimit = 200;

    [Id(0)] public TimelineCursor? After { get; init; }
    [Id(1)] public int Limit { get; init; } = 50;
    [Id(2)] public InteractionChannel? Channel { get; init; }
}
