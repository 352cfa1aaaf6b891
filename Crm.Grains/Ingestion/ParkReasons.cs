using Npgsql;

namespace Crm.Ingestion;

/// <summary>
/// Why an event failed on its own, in words for the people who read parked events and an import's rejected rows:
/// the database's own message without its error code, an argument's without the parameter it names, and what a
/// grain call wrapped rather than the wrapping.
/// </summary>
public static class ParkReasons
{
    public static string Describe(Exception exception)
    {
        var cause = Innermost(exception);
        return cause switch
        {
            PostgresException { ColumnName: { Length: > 0 } column } pg => $"The database refused a value for {column}: {pg.MessageText}",
            PostgresException pg => $"The database refused it: {pg.MessageText}",
            ArgumentException argument when argument.ParamName is { } name && argument.Message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal) =>
                argument.Message[..^$" (Parameter '{name}')".Length],
            _ => cause.Message,
        };
    }

    private static Exception Innermost(Exception exception) => exception switch
    {
        AggregateException { InnerExceptions: [var only] } => Innermost(only),
        OrleansException { InnerException: { } inner } => Innermost(inner),
        _ => exception,
    };
}
