namespace Crm;

/// <summary>
/// A call failed for a reason that is no fault of its arguments (the database is down or busy, a timeout): the same
/// call later succeeds. Grain calls turn such failures into this one, so that callers on any silo can tell.
/// </summary>
[GenerateSerializer, Alias("crm.transient-failure")]
public sealed class TransientFailureException(string message, Exception? inner = null) : Exception(message, inner);
