namespace Crm.Timeline;

/// <summary>The stored interaction, and whether this call stored it (false: its external id was already there).</summary>
[GenerateSerializer, Immutable, Alias("crm.interaction-append-result")]
public sealed record InteractionAppendResult(
    [property: Id(0)] Interaction Interaction,
    [property: Id(1)] bool Created);
