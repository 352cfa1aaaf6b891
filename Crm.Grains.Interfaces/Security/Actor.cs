namespace Crm.Security;

/// <summary>Who did something: a signed-in user or an integration.</summary>
[GenerateSerializer, Immutable, Alias("crm.actor")]
public sealed record Actor([property: Id(0)] string Id, [property: Id(1)] string Name);
