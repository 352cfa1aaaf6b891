namespace Crm.Security;

public sealed record Tenant(string Id, string Name, DateTimeOffset CreatedAt);
