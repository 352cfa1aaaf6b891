using Crm.Customers;
using Crm.Timeline;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Benchmarks;

/// <summary>Timeline rows for benchmarks: realistic interactions, bulk-loaded with COPY where only the setup needs them.</summary>
public static class TimelineRows
{
    private static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static Interaction Interaction(CustomerKey customer, long sequence) => new()
    {
        Id = Guid.CreateVersion7(),
        CustomerId = customer.CustomerId,
        Sequence = sequence,
        Channel = (InteractionChannel)(sequence % 9),
        Direction = InteractionDirection.Inbound,
        OccurredAt = Start.AddSeconds(sequence * 37),
        RecordedAt = Start.AddSeconds(sequence * 37 + 1),
        Subject = $"Interaction {sequence}",
        Body = "Customer asked about the status of their order and the delivery window.",
        DurationSeconds = (int)(sequence % 600),
        Outcome = "resolved",
    };

    /// <summary>Loads interactions 1..count of the customer with binary COPY.</summary>
    public static async Task CopyAsync(NpgsqlDataSource dataSource, CustomerKey customer, long count)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var writer = await connection.BeginBinaryImportAsync("""
            COPY crm_timeline (tenant_id, customer_id, sequence, interaction_id, channel, direction, occurred_at, recorded_at,
                subject, body, duration_seconds, outcome)
            FROM STDIN (FORMAT BINARY)
            """);
        for (long sequence = 1; sequence <= count; sequence++)
        {
            var row = Interaction(customer, sequence);
            await writer.StartRowAsync();
            await writer.WriteAsync(customer.TenantId, NpgsqlDbType.Text);
            await writer.WriteAsync(customer.CustomerId, NpgsqlDbType.Text);
            await writer.WriteAsync(row.Sequence, NpgsqlDbType.Bigint);
            await writer.WriteAsync(row.Id, NpgsqlDbType.Uuid);
            await writer.WriteAsync(row.Channel.ToString().ToLowerInvariant(), NpgsqlDbType.Text);
            await writer.WriteAsync("inbound", NpgsqlDbType.Text);
            await writer.WriteAsync(row.OccurredAt, NpgsqlDbType.TimestampTz);
            await writer.WriteAsync(row.RecordedAt, NpgsqlDbType.TimestampTz);
            await writer.WriteAsync(row.Subject, NpgsqlDbType.Text);
            await writer.WriteAsync(row.Body, NpgsqlDbType.Text);
            await writer.WriteAsync(row.DurationSeconds!.Value, NpgsqlDbType.Integer);
            await writer.WriteAsync(row.Outcome, NpgsqlDbType.Text);
        }

        await writer.CompleteAsync();
        await using var analyze = dataSource.CreateCommand("ANALYZE crm_timeline");
        await analyze.ExecuteNonQueryAsync();
    }
}
