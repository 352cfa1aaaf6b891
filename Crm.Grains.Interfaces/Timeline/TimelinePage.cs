using System.Collections.Immutable;

namespace Crm.Timeline;

/// <summary>Interactions newest first (by when they happened), and where the next page starts, if there is one.</summary>
[GenerateSerializer, Immutable, Alias("crm.timeline-page")]
public sealed record TimelinePage(
    [property: Id(0)] ImmutableArray<Interaction> Items,
    [property: Id(1)] TimelineCursor? Next);
