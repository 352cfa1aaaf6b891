namespace Crm.Timeline;

/// <summary>A position in a newest-first timeline: the last entry a page returned.</summary>
[GenerateSerializer, Immutable, Alias("crm.timeline-cursor")]
public readonly record struct TimelineCursor(
    [property: Id(0)] DateTimeOffset OccurredAt,
    [property: Id(1)] long Sequence)
{
    public static TimelineCursor After(Interaction interaction) => new(interaction.OccurredAt, interaction.Sequence);

    /// <summary>Whether an interaction comes after this position in newest-first order.</summary>
    public bool Precedes(Interaction interaction) =>
        interaction.OccurredAt < OccurredAt || (interaction.OccurredAt == OccurredAt && interaction.Sequence < Sequence);
}
