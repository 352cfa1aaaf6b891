namespace Crm.Web.Api;

/// <summary>Endpoint metadata: this endpoint takes bodies up to this size rather than the server-wide limit.</summary>
public sealed record BodySizeLimit(long Bytes);
