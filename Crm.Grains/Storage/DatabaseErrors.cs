using Npgsql;

namespace Crm.Storage;

/// <summary>What a failure from PostgreSQL says about the rows that were being written.</summary>
public static class DatabaseErrors
{
    /// <summary>
    /// The database refused a row for what it holds (class 22, data exception: text it cannot store, a time out of
    /// range; class 23, a constraint it breaks): other rows written with it are not at fault.
    /// </summary>
    public static bool IsRowError(Exception exception) =>
        exception is PostgresException { SqlState: [ '2', '2' or '3', ..] };

    /// <summary>
    /// A failure that is no fault of what was written: the database or the network is down or busy, a deadlock or a
    /// timeout. Trying the same again later succeeds.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        // 08 connection, 53 resources, 57 operator intervention (a shutdown), 55000 a database not accepting
        // connections for a moment, 40001 and 40P01 serialization failures and deadlocks.
        PostgresException { SqlState: ['0', '8', ..] or ['5', '3' or '7', ..] or "55000" or "40001" or "40P01" } => true,
        PostgresException => false,
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or System.Net.Sockets.SocketException or TimeoutException,
        TimeoutException or IOException or System.Net.Sockets.SocketException => true,
        AggregateException { InnerExceptions: [var only] } => IsTransient(only),
        _ => exception.InnerException is { } inner && IsTransient(inner),
    };
}
