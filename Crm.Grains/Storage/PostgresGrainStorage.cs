using System.Globalization;
using Npgsql;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Crm.Storage;

/// <summary>
/// Grain state in Orleans' ADO.NET table OrleansStorage, row for row as Orleans' own provider keeps it (keys, hashes,
/// version numbers: <see cref="OrleansStorageKey"/>), so that either reads what the other wrote. What differs is that
/// reads and writes from many grains go together: one round trip, and for writes one transaction, for all that arrived
/// while the previous one was under way. One transaction a write was the database's largest cost when an import
/// creates thousands of customers a second, each writing its state.
/// </summary>
/// <remarks>
/// As in Orleans' provider, a write whose version is not the stored one changes nothing and fails with
/// <see cref="InconsistentStateException"/>: that write alone, not the others committed with it. A row the database
/// refuses fails its own write alone too (<see cref="GroupCommit{TItem,TResult}"/>).
/// </remarks>
public sealed class PostgresGrainStorage : IGrainStorage, IAsyncDisposable
{
    private const int MaxWeightPerCommit = 1000;
    private const int BytesPerWeight = 4096;
    private const int Writers = 2;

    private readonly NpgsqlDataSource _dataSource;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activators;
    private readonly string _serviceId;
    private readonly GroupCommit<OrleansStorageKey, StoredState?> _reads;
    private readonly GroupCommit<StateWrite, int?> _writes;

    public PostgresGrainStorage(NpgsqlDataSource dataSource, IGrainStorageSerializer serializer, IActivatorProvider activators, string serviceId)
    {
        (_dataSource, _serializer, _activators, _serviceId) = (dataSource, serializer, activators, serviceId);
        _reads = new(ReadAllAsync, MaxWeightPerCommit, Writers);
        _writes = new(WriteAllAsync, MaxWeightPerCommit, Writers, weight: w => 1 + w.Payload.Length / BytesPerWeight);
    }

    public async ValueTask DisposeAsync()
    {
        await _reads.DisposeAsync();
        await _writes.DisposeAsync();
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var stored = await _reads.CommitAsync(OrleansStorageKey.Of(stateName, grainId));
        grainState.State = (stored?.Payload is { } payload ? _serializer.Deserialize<T>(BinaryData.FromBytes(payload)) : default) ?? NewState<T>();
        grainState.ETag = stored?.Version?.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = stored?.Payload is not null;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = OrleansStorageKey.Of(stateName, grainId);
        var written = await _writes.CommitAsync(new StateWrite(key, Version(grainState), _serializer.Serialize(grainState.State).ToArray()));
        grainState.ETag = (written ?? throw Conflict("WriteState", key, grainState)).ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    /// <summary>Empties the row and moves its version on, as Orleans' provider does by default; rare enough to go alone.</summary>
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (!grainState.RecordExists && string.IsNullOrWhiteSpace(grainState.ETag))
        {
            await ReadStateAsync(stateName, grainId, grainState);
            if (!grainState.RecordExists)
            {
                return;
            }
        }

        var key = OrleansStorageKey.Of(stateName, grainId);
        await using var clear = _dataSource.CreateCommand($"""
            UPDATE orleansstorage s SET payloadbinary = NULL, version = s.version + 1
            FROM unnest({Keys}) AS w(idhash, n0, n1, typehash, type, ext)
            WHERE {SameRow} AND s.version = $8
            RETURNING s.version
            """);
        AddKeys(clear.Parameters, [key]);
        clear.Parameters.Add(new NpgsqlParameter { Value = (object?)Version(grainState) ?? DBNull.Value });
        var cleared = await clear.ExecuteScalarAsync() as int?;
        grainState.ETag = (cleared ?? throw Conflict("ClearState", key, grainState)).ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = false;
        grainState.State = NewState<T>();
    }

    /// <summary>The key columns of the rows a command names, $1 to $6 (<see cref="AddKeys"/>), to unnest as w.</summary>
    private const string Keys = "$1::integer[], $2::bigint[], $3::bigint[], $4::integer[], $5::text[], $6::text[]";

    /// <summary>The row of s that w names, in the columns Orleans' own queries compare; $7 is the service.</summary>
    private const string SameRow = """
        s.grainidhash = w.idhash AND s.graintypehash = w.typehash AND s.grainidn0 = w.n0 AND s.grainidn1 = w.n1
        AND s.graintypestring = w.type AND s.grainidextensionstring IS NOT DISTINCT FROM w.ext AND s.serviceid = $7
        """;

    private async Task<IReadOnlyList<StoredState?>> ReadAllAsync(IReadOnlyList<OrleansStorageKey> keys)
    {
        await using var read = _dataSource.CreateCommand($"""
            SELECT w.n, s.payloadbinary, s.version
            FROM unnest({Keys}) WITH ORDINALITY AS w(idhash, n0, n1, typehash, type, ext, n)
            CROSS JOIN LATERAL (SELECT s.payloadbinary, s.version FROM orleansstorage s WHERE {SameRow} ORDER BY s.version DESC LIMIT 1) s
            """);
        AddKeys(read.Parameters, keys);
        var stored = new StoredState?[keys.Count];
        await using var reader = await read.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            stored[reader.GetInt64(0) - 1] = new StoredState(
                reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1),
                reader.IsDBNull(2) ? null : reader.GetInt32(2));
        }

        return stored;
    }

    /// <summary>
    /// Updates the rows whose version each write expects and inserts those written for the first time, answering each
    /// write with its new version, or null where nothing was written. Two writes of one grain in a commit go in
    /// successive statements, so that the second sees the first, as it would have one after the other.
    /// </summary>
    private async Task<IReadOnlyList<int?>> WriteAllAsync(IReadOnlyList<StateWrite> writes)
    {
        var rounds = writes
            .Select((write, index) => (Write: write, Index: index))
            .GroupBy(w => w.Write.Key)
            .SelectMany(grain => grain.Select((w, round) => (Round: round, w.Write, w.Index)))
            .GroupBy(w => w.Round, w => (w.Write, w.Index))
            .OrderBy(r => r.Key)
            // In one order whichever commit writes them, the better to keep two commits from locking the same rows in
            // opposite orders (which only duplicate activations of a grain would do): the plan decides in the end.
            .Select(round => round
                .OrderBy(w => w.Write.Key.IdHash).ThenBy(w => w.Write.Key.TypeHash).ThenBy(w => w.Write.Key.N0).ThenBy(w => w.Write.Key.N1)
                .ThenBy(w => w.Write.Key.Type, StringComparer.Ordinal).ThenBy(w => w.Write.Key.Extension, StringComparer.Ordinal)
                .ToList())
            .ToList();
        await using var batch = _dataSource.CreateBatch();
        foreach (var round in rounds)
        {
            var command = new NpgsqlBatchCommand($"""
                WITH w AS (
                    SELECT * FROM unnest({Keys}, $8::integer[], $9::bytea[])
                        WITH ORDINALITY AS w(idhash, n0, n1, typehash, type, ext, version, payload, n)),
                updated AS (
                    UPDATE orleansstorage s SET payloadbinary = w.payload, modifiedon = (now() at time zone 'utc'), version = s.version + 1
                    FROM w WHERE w.version IS NOT NULL AND {SameRow} AND s.version = w.version
                    RETURNING w.n, s.version),
                inserted AS (
                    INSERT INTO orleansstorage (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring, grainidextensionstring, serviceid, payloadbinary, modifiedon, version)
                    SELECT w.idhash, w.n0, w.n1, w.typehash, w.type, w.ext, $7, w.payload, (now() at time zone 'utc'), 1
                    FROM w WHERE w.version IS NULL AND NOT EXISTS (SELECT 1 FROM orleansstorage s WHERE {SameRow})
                    RETURNING grainidhash AS idhash, grainidn0 AS n0, grainidn1 AS n1, graintypehash AS typehash, graintypestring AS type, grainidextensionstring AS ext)
                SELECT n, version FROM updated
                UNION ALL
                SELECT w.n, 1 FROM inserted s JOIN w ON w.version IS NULL AND s.idhash = w.idhash AND s.typehash = w.typehash
                    AND s.n0 = w.n0 AND s.n1 = w.n1 AND s.type = w.type AND s.ext IS NOT DISTINCT FROM w.ext
                """);
            AddKeys(command.Parameters, [.. round.Select(w => w.Write.Key)]);
            command.Parameters.Add(new NpgsqlParameter { Value = round.Select(w => w.Write.Version).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = round.Select(w => w.Write.Payload).ToArray() });
            batch.BatchCommands.Add(command);
        }

        var written = new int?[writes.Count];
        await using var reader = await batch.ExecuteReaderAsync();
        foreach (var round in rounds)
        {
            while (await reader.ReadAsync())
            {
                written[round[(int)reader.GetInt64(0) - 1].Index] = reader.GetInt32(1);
            }

            await reader.NextResultAsync();
        }

        return written;
    }

    private void AddKeys(NpgsqlParameterCollection parameters, IReadOnlyList<OrleansStorageKey> keys)
    {
        parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.IdHash).ToArray() });
        parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.N0).ToArray() });
        parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.N1).ToArray() });
        parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.TypeHash).ToArray() });
        parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.Type).ToArray() });
        parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.Extension).ToArray() });
        parameters.Add(new NpgsqlParameter { Value = _serviceId });
    }

    private T NewState<T>() => _activators.GetActivator<T>().Create();

    private static int? Version<T>(IGrainState<T> state) =>
        string.IsNullOrWhiteSpace(state.ETag) ? null : int.Parse(state.ETag, CultureInfo.InvariantCulture);

    private InconsistentStateException Conflict<T>(string operation, OrleansStorageKey key, IGrainState<T> state) =>
        new($"Version conflict ({operation}): ServiceId={_serviceId} GrainType={key.Type} GrainId={key.Extension ?? $"{key.N0}/{key.N1}"} ETag={state.ETag}.");

    private sealed record StoredState(byte[]? Payload, int? Version);

    private sealed record StateWrite(OrleansStorageKey Key, int? Version, byte[] Payload);
}
