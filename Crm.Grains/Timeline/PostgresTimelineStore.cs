using System.Collections.Immutable;
using System.Text.Json;
using Crm.Customers;
using Crm.Security;
using Crm.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Timeline;

/// <summary>
/// The timeline in table crm_timeline: keyed by (tenant, customer, sequence), so an append is one index insert
/// whatever the timeline's length, and read newest first through (tenant, customer, occurred_at, sequence).
/// Appends from all customers are group-committed: one round trip and one transaction for the rows that arrive
/// while the previous commit is under way.
/// </summary>
public sealed class PostgresTimelineStore : ITimelineStore, IAsyncDisposable
{
    private const string Columns = """
        customer_id, sequence, interaction_id, channel, direction, occurred_at, recorded_at, agent_id, agent_name,
        subject, body, duration_seconds, outcome, external_id, metadata, recorded_by_id, recorded_by_name, event_type
        """;

    private const string OnExternalIdConflict = "ON CONFLICT (tenant_id, external_id) WHERE external_id IS NOT NULL DO NOTHING";
    private const int MaxRowsPerCommit = 500;
    private const int Writers = 2;

    private readonly NpgsqlDataSource _dataSource;
    private readonly GroupCommit<(CustomerKey Customer, IReadOnlyList<Interaction> Interactions), bool[]> _appends;

    public PostgresTimelineStore(NpgsqlDataSource dataSource)
    {
        _dataSource = dataSource;
        _appends = new(InsertAllAsync, MaxRowsPerCommit, Writers, weight: item => item.Interactions.Count);
    }

    public async Task<IReadOnlyList<InteractionAppendResult>> AppendAsync(CustomerKey customer, IReadOnlyList<Interaction> interactions, CancellationToken cancellationToken = default)
    {
        if (interactions.Count == 0)
        {
            return [];
        }

        var created = await _appends.CommitAsync((customer, interactions)).WaitAsync(cancellationToken);
        var taken = interactions.Where((_, i) => !created[i]).Select(i => i.ExternalId!).ToArray();
        var stored = new Dictionary<string, Interaction>();
        if (taken.Length > 0)
        {
            await using var existing = _dataSource.CreateCommand($"SELECT {Columns} FROM crm_timeline WHERE tenant_id = $1 AND external_id = ANY ($2)");
            existing.Parameters.AddWithValue(customer.TenantId);
            existing.Parameters.AddWithValue(taken);
            stored = (await ReadAllAsync(existing, cancellationToken)).ToDictionary(i => i.ExternalId!);
        }

        return [.. interactions.Select((interaction, i) => created[i]
            ? new InteractionAppendResult(interaction, Created: true)
            : new InteractionAppendResult(stored.GetValueOrDefault(interaction.ExternalId!)
                ?? throw new InvalidOperationException($"External id '{interaction.ExternalId}' conflicted but no row holds it."), Created: false))];
    }

    public async Task<TimelinePage> ReadAsync(CustomerKey customer, TimelineQuery query, CancellationToken cancellationToken = default)
    {
        var sql = $"SELECT {Columns} FROM crm_timeline WHERE tenant_id = $1 AND customer_id = $2";
        await using var command = _dataSource.CreateCommand();
        command.Parameters.AddWithValue(customer.TenantId);
        command.Parameters.AddWithValue(customer.CustomerId);
        if (query.Channel is { } channel)
        {
            command.Parameters.AddWithValue(DbText.From(channel));
            sql += $" AND channel = ${command.Parameters.Count}";
        }

        if (query.After is { } after)
        {
            command.Parameters.AddWithValue(after.OccurredAt);
            command.Parameters.AddWithValue(after.Sequence);
            sql += $" AND (occurred_at, sequence) < (${command.Parameters.Count - 1}, ${command.Parameters.Count})";
        }

        command.Parameters.AddWithValue(query.Limit + 1);
        command.CommandText = sql + $" ORDER BY occurred_at DESC, sequence DESC LIMIT ${command.Parameters.Count}";
        return TimelinePages.From(await ReadAllAsync(command, cancellationToken), query.Limit);
    }

    public async Task<IReadOnlyList<Interaction>> ReadSinceAsync(CustomerKey customer, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand($"""
            SELECT {Columns} FROM crm_timeline
            WHERE tenant_id = $1 AND customer_id = $2 AND sequence > $3
            ORDER BY sequence LIMIT $4
            """);
        command.Parameters.AddWithValue(customer.TenantId);
        command.Parameters.AddWithValue(customer.CustomerId);
        command.Parameters.AddWithValue(afterSequence);
        command.Parameters.AddWithValue(limit);
        return await ReadAllAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<Interaction>> ReadLatestAsync(CustomerKey customer, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand($"""
            SELECT {Columns} FROM crm_timeline
            WHERE tenant_id = $1 AND customer_id = $2
            ORDER BY sequence DESC LIMIT $3
            """);
        command.Parameters.AddWithValue(customer.TenantId);
        command.Parameters.AddWithValue(customer.CustomerId);
        command.Parameters.AddWithValue(limit);
        var newestFirst = await ReadAllAsync(command, cancellationToken);
        newestFirst.Reverse();
        return newestFirst;
    }

    public async Task<Interaction?> FindAsync(CustomerKey customer, Guid interactionId, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand($"""
            SELECT {Columns} FROM crm_timeline WHERE tenant_id = $1 AND interaction_id = $2 AND customer_id = $3
            """);
        command.Parameters.AddWithValue(customer.TenantId);
        command.Parameters.AddWithValue(interactionId);
        command.Parameters.AddWithValue(customer.CustomerId);
        return await ReadSingleAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<Interaction>> ReadChannelAsync(string tenantId, InteractionChannel channel, TimelinePosition? after, int limit, CancellationToken cancellationToken = default)
    {
        // Walks the primary key in order, the channel filtered on the way: a background read, a page at a time.
        await using var command = _dataSource.CreateCommand($"""
            SELECT {Columns} FROM crm_timeline
            WHERE tenant_id = $1 AND channel = $2 AND (customer_id, sequence) > ($3, $4)
            ORDER BY customer_id, sequence LIMIT $5
            """);
        command.Parameters.AddWithValue(tenantId);
        command.Parameters.AddWithValue(DbText.From(channel));
        command.Parameters.AddWithValue(after?.CustomerId ?? "");
        command.Parameters.AddWithValue(after?.Sequence ?? long.MinValue);
        command.Parameters.AddWithValue(limit);
        return await ReadAllAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<Interaction>> MoveAsync(CustomerKey from, CustomerKey to, long firstSequence, Guid? mergeId = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var delete = new NpgsqlCommand($"DELETE FROM crm_timeline WHERE tenant_id = $1 AND customer_id = $2 RETURNING {Columns}", connection);
        delete.Parameters.AddWithValue(from.TenantId);
        delete.Parameters.AddWithValue(from.CustomerId);
        var taken = (await ReadAllAsync(delete, cancellationToken)).OrderBy(i => i.Sequence).ToList();
        var moved = taken.Select((i, n) => i with { CustomerId = to.CustomerId, Sequence = firstSequence + n }).ToList();
        if (moved.Count > 0)
        {
            await using var inserts = new NpgsqlBatch(connection, transaction);
            moved.ForEach(interaction => inserts.BatchCommands.Add(Insert(to, interaction, onExternalIdConflict: "")));
            if (mergeId is { } merge)
            {
                var moves = new NpgsqlBatchCommand("""
                    INSERT INTO crm_timeline_moves (tenant_id, merge_id, interaction_id, from_customer, from_sequence)
                    SELECT $1, $2, m.interaction_id, $4, m.sequence FROM unnest($3::uuid[], $5::bigint[]) AS m(interaction_id, sequence)
                    """);
                moves.Parameters.AddWithValue(from.TenantId);
                moves.Parameters.AddWithValue(merge);
                moves.Parameters.AddWithValue(taken.Select(i => i.Id).ToArray());
                moves.Parameters.AddWithValue(from.CustomerId);
                moves.Parameters.AddWithValue(taken.Select(i => i.Sequence).ToArray());
                inserts.BatchCommands.Add(moves);
            }

            await inserts.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return moved;
    }

    public async Task<IReadOnlyList<Interaction>> MoveBackAsync(CustomerKey survivor, Guid mergeId, string customerId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var moves = new NpgsqlCommand("""
            DELETE FROM crm_timeline_moves WHERE tenant_id = $1 AND merge_id = $2 AND from_customer = $3
            RETURNING interaction_id, from_sequence
            """, connection);
        moves.Parameters.AddWithValue(survivor.TenantId);
        moves.Parameters.AddWithValue(mergeId);
        moves.Parameters.AddWithValue(customerId);
        var origins = new Dictionary<Guid, long>();
        await using (var reader = await moves.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                origins[reader.GetGuid(0)] = reader.GetInt64(1);
            }
        }

        var back = new List<Interaction>();
        if (origins.Count > 0)
        {
            await using var delete = new NpgsqlCommand($"""
                DELETE FROM crm_timeline WHERE tenant_id = $1 AND customer_id = $2 AND interaction_id = ANY($3) RETURNING {Columns}
                """, connection);
            delete.Parameters.AddWithValue(survivor.TenantId);
            delete.Parameters.AddWithValue(survivor.CustomerId);
            delete.Parameters.AddWithValue(origins.Keys.ToArray());
            back = [.. (await ReadAllAsync(delete, cancellationToken))
                .Select(i => i with { CustomerId = customerId, Sequence = origins[i.Id] })
                .OrderBy(i => i.Sequence)];
            if (back.Count > 0)
            {
                var to = new CustomerKey(survivor.TenantId, customerId);
                await using var inserts = new NpgsqlBatch(connection, transaction);
                back.ForEach(interaction => inserts.BatchCommands.Add(Insert(to, interaction, onExternalIdConflict: "")));
                await inserts.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return back;
    }

    public ValueTask DisposeAsync() => _appends.DisposeAsync();

    /// <returns>For each customer's rows, whether each was inserted (false: its external id was already stored).</returns>
    /// <remarks>One statement for all rows, so PostgreSQL parses and plans once per commit, not once per row.</remarks>
    private async Task<IReadOnlyList<bool[]>> InsertAllAsync(IReadOnlyList<(CustomerKey Customer, IReadOnlyList<Interaction> Interactions)> items)
    {
        var rows = items.SelectMany(item => item.Interactions.Select(interaction => (item.Customer, Interaction: interaction))).ToList();
        var inserted = new HashSet<Guid>();
        if (rows.Count == 1)
        {
            // Alone (the usual case at low load), a plain VALUES insert plans faster than unnest.
            await using var single = _dataSource.CreateBatch();
            single.BatchCommands.Add(Insert(rows[0].Customer, rows[0].Interaction, OnExternalIdConflict));
            if (await single.ExecuteNonQueryAsync() == 1)
            {
                inserted.Add(rows[0].Interaction.Id);
            }
        }
        else
        {
            await using var insert = _dataSource.CreateCommand($"""
                INSERT INTO crm_timeline (tenant_id, {Columns})
                SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::uuid[], $5::text[], $6::text[], $7::timestamptz[],
                    $8::timestamptz[], $9::text[], $10::text[], $11::text[], $12::text[], $13::int[], $14::text[], $15::text[],
                    $16::jsonb[], $17::text[], $18::text[], $19::text[])
                {OnExternalIdConflict}
                RETURNING interaction_id
                """);
            var p = insert.Parameters;
            p.AddWithValue(rows.Select(r => r.Customer.TenantId).ToArray());
            p.AddWithValue(rows.Select(r => r.Customer.CustomerId).ToArray());
            p.AddWithValue(rows.Select(r => r.Interaction.Sequence).ToArray());
            p.AddWithValue(rows.Select(r => r.Interaction.Id).ToArray());
            p.AddWithValue(rows.Select(r => DbText.From(r.Interaction.Channel)).ToArray());
            p.AddWithValue(rows.Select(r => DbText.From(r.Interaction.Direction)).ToArray());
            p.AddWithValue(rows.Select(r => r.Interaction.OccurredAt).ToArray());
            p.AddWithValue(rows.Select(r => r.Interaction.RecordedAt).ToArray());
            p.Add(NullableTexts(rows, i => i.Agent?.Id));
            p.Add(NullableTexts(rows, i => i.Agent?.Name));
            p.Add(NullableTexts(rows, i => i.Subject));
            p.Add(NullableTexts(rows, i => i.Body));
            p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer, Value = rows.Select(r => r.Interaction.DurationSeconds).ToArray() });
            p.Add(NullableTexts(rows, i => i.Outcome));
            p.Add(NullableTexts(rows, i => i.ExternalId));
            p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb, Value = rows.Select(r => JsonSerializer.Serialize(r.Interaction.Metadata)).ToArray() });
            p.Add(NullableTexts(rows, i => i.RecordedBy?.Id));
            p.Add(NullableTexts(rows, i => i.RecordedBy?.Name));
            p.Add(NullableTexts(rows, i => i.EventType));

            await using var reader = await insert.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                inserted.Add(reader.GetGuid(0));
            }
        }

        return [.. items.Select(item => item.Interactions.Select(i => inserted.Contains(i.Id)).ToArray())];
    }

    private static NpgsqlParameter NullableTexts(IReadOnlyList<(CustomerKey Customer, Interaction Interaction)> rows, Func<Interaction, string?> text) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = rows.Select(r => text(r.Interaction)).ToArray() };

    private static NpgsqlBatchCommand Insert(CustomerKey customer, Interaction interaction, string onExternalIdConflict)
    {
        var insert = new NpgsqlBatchCommand($"""
            INSERT INTO crm_timeline (tenant_id, {Columns})
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
            {onExternalIdConflict}
            """);
        var p = insert.Parameters;
        p.AddWithValue(customer.TenantId);
        p.AddWithValue(customer.CustomerId);
        p.AddWithValue(interaction.Sequence);
        p.AddWithValue(interaction.Id);
        p.AddWithValue(DbText.From(interaction.Channel));
        p.AddWithValue(DbText.From(interaction.Direction));
        p.AddWithValue(interaction.OccurredAt);
        p.AddWithValue(interaction.RecordedAt);
        p.AddWithValue(NpgsqlDbType.Text, (object?)interaction.Agent?.Id ?? DBNull.Value);
        p.AddWithValue(NpgsqlDbType.Text, (object?)interaction.Agent?.Name ?? DBNull.Value);
        p.AddWithValue(NpgsqlDbType.Text, (object?)interaction.Subject ?? DBNull.Value);
        p.AddWithValue(NpgsqlDbType.Text, (object?)interaction.Body ?? DBNull.Value);
        p.AddWithValue(NpgsqlDbType.Integer, (object?)interaction.DurationSeconds ?? DBNull.Value);
        p.AddWithValue(NpgsqlDbType.Text, (object?)interaction.Outcome ?? DBNull.Value);
        p.AddWithValue(NpgsqlDbType.Text, (object?)interaction.ExternalId ?? DBNull.Value);
        p.AddWithValue(NpgsqlDbType.Jsonb, JsonSerializer.Serialize(interaction.Metadata));
        p.AddWithValue(NpgsqlDbType.Text, (object?)interaction.RecordedBy?.Id ?? DBNull.Value);
        p.AddWithValue(NpgsqlDbType.Text, (object?)interaction.RecordedBy?.Name ?? DBNull.Value);
        p.AddWithValue(NpgsqlDbType.Text, (object?)interaction.EventType ?? DBNull.Value);
        return insert;
    }

    private static async Task<Interaction?> ReadSingleAsync(NpgsqlCommand command, CancellationToken cancellationToken) =>
        (await ReadAllAsync(command, cancellationToken)).FirstOrDefault();

    private static async Task<List<Interaction>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var result = new List<Interaction>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(new Interaction
            {
                CustomerId = reader.GetString(0),
                Sequence = reader.GetInt64(1),
                Id = reader.GetGuid(2),
                Channel = DbText.To<InteractionChannel>(reader.GetString(3)),
                Direction = DbText.To<InteractionDirection>(reader.GetString(4)),
                OccurredAt = reader.GetFieldValue<DateTimeOffset>(5),
                RecordedAt = reader.GetFieldValue<DateTimeOffset>(6),
                Agent = ReadActor(reader, 7),
                Subject = reader.IsDBNull(9) ? null : reader.GetString(9),
                Body = reader.IsDBNull(10) ? null : reader.GetString(10),
                DurationSeconds = reader.IsDBNull(11) ? null : reader.GetInt32(11),
                Outcome = reader.IsDBNull(12) ? null : reader.GetString(12),
                ExternalId = reader.IsDBNull(13) ? null : reader.GetString(13),
                Metadata = JsonSerializer.Deserialize<ImmutableDictionary<string, string>>(reader.GetString(14)) ?? ImmutableDictionary<string, string>.Empty,
                RecordedBy = ReadActor(reader, 15),
                EventType = reader.IsDBNull(17) ? null : reader.GetString(17),
            });
        }

        return result;
    }

    private static Actor? ReadActor(NpgsqlDataReader reader, int idColumn) =>
        reader.IsDBNull(idColumn) ? null : new Actor(reader.GetString(idColumn), reader.IsDBNull(idColumn + 1) ? "" : reader.GetString(idColumn + 1));
}
