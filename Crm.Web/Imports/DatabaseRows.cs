using System.Globalization;
using Npgsql;

namespace Crm.Web.Imports;

/// <summary>
/// Rows of another PostgreSQL database (an ERP's, a legacy CRM's) as an import reads them: the result of one SELECT,
/// run in a read-only transaction, so that nothing an import runs can change the database it reads.
/// </summary>
public static class DatabaseRows
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(30);

    /// <returns>How many rows the query returns, or why it cannot be imported.</returns>
    public static async Task<(long Rows, string? Problem)> CheckAsync(string connectionString, string query, CancellationToken cancellationToken)
    {
        if (Single(query) is not { } select)
        {
            return (0, "One query only: a SELECT (or WITH … SELECT) without ';' between statements.");
        }

        try
        {
            await using var connection = await OpenReadOnlyAsync(connectionString, cancellationToken);
            await using (var timeout = new NpgsqlCommand($"SET statement_timeout = {(int)CheckTimeout.TotalMilliseconds}", connection))
            {
                await timeout.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var count = new NpgsqlCommand($"SELECT count(*) FROM ({select}) AS import_rows", connection);
            return ((long)(await count.ExecuteScalarAsync(cancellationToken))!, null);
        }
        catch (PostgresException ex)
        {
            return (0, $"The database refuses the query: {ex.MessageText}");
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or ArgumentException or FormatException)
        {
            return (0, $"The database cannot be reached: {ex.Message}");
        }
    }

    /// <summary>The query's rows, each cell as text (numbers and dates in invariant form; NULL is an empty cell).</summary>
    public static async IAsyncEnumerable<ImportRow> ReadAsync(string connectionString, string query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var select = Single(query) ?? throw new ImportFileException("The query is not a single SELECT.");
        await using var connection = await OpenReadOnlyAsync(connectionString, cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT * FROM ({select}) AS import_rows", connection);
        NpgsqlDataReader reader;
        try
        {
            reader = await command.ExecuteReaderAsync(cancellationToken);
        }
        catch (PostgresException ex)
        {
            throw new ImportFileException($"The database refuses the query: {ex.MessageText}", ex);
        }

        await using (reader)
        {
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
            for (long number = 1; await reader.ReadAsync(cancellationToken); number++)
            {
                var cells = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var i = 0; i < columns.Length; i++)
                {
                    if (!reader.IsDBNull(i) && Text(reader.GetValue(i)) is { Length: > 0 } text)
                    {
                        cells[columns[i]] = text;
                    }
                }

                yield return new ImportRow(number, cells);
            }
        }
    }

    /// <summary>The query without a trailing ';', or null when it holds more than one statement.</summary>
    private static string? Single(string query)
    {
        var trimmed = query.Trim().TrimEnd(';').Trim();
        return trimmed.Length == 0 || trimmed.Contains(';') ? null : trimmed;
    }

    private static async Task<NpgsqlConnection> OpenReadOnlyAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var readOnly = new NpgsqlCommand("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", connection);
        await readOnly.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    private static string Text(object value) => value switch
    {
        string text => text,
        bool flag => flag ? "true" : "false",
        DateTime at => at.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset at => at.ToString("O", CultureInfo.InvariantCulture),
        DateOnly day => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        string[] list => string.Join("; ", list),
        _ => value.ToString() ?? "",
    };
}
