using BenchmarkDotNet.Attributes;
using Crm.Customers;
using Crm.Timeline;
using Npgsql;

namespace Crm.Benchmarks;

/// <summary>
/// Appending one interaction to a PostgreSQL timeline that already holds 10, 10,000 or 1,000,000 of the
/// customer's interactions. Target: within 20% of each other. Baseline: the same row written with a bare
/// Npgsql INSERT into the same table, no store code around it.
/// </summary>
[MinIterationCount(15), MaxIterationCount(40), WarmupCount(6)]
[InvocationCount(200)]
public class TimelineAppendBenchmarks
{
    private NpgsqlDataSource _dataSource = null!;
    private PostgresTimelineStore _store = null!;
    private CustomerKey _customer;
    private long _sequence;

    [Params(10, 10_000, 1_000_000)]
    public int ExistingInteractions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dataSource = NpgsqlDataSource.Create(BenchmarkDatabase.Current);
        _store = new PostgresTimelineStore(_dataSource);
        _customer = new CustomerKey("bench", $"customer-{ExistingInteractions}");
        using var count = _dataSource.CreateCommand("SELECT count(*) FROM crm_timeline WHERE tenant_id = $1 AND customer_id = $2");
        count.Parameters.AddWithValue(_customer.TenantId);
        count.Parameters.AddWithValue(_customer.CustomerId);
        if ((long)count.ExecuteScalar()! == 0)
        {
            TimelineRows.CopyAsync(_dataSource, _customer, ExistingInteractions).GetAwaiter().GetResult();
        }

        _sequence = ExistingInteractions;
    }

    /// <summary>Every iteration starts from the same timeline length.</summary>
    [IterationCleanup]
    public void RemoveAppended()
    {
        using var delete = _dataSource.CreateCommand("DELETE FROM crm_timeline WHERE tenant_id = $1 AND customer_id = $2 AND sequence > $3");
        delete.Parameters.AddWithValue(_customer.TenantId);
        delete.Parameters.AddWithValue(_customer.CustomerId);
        delete.Parameters.AddWithValue((long)ExistingInteractions);
        delete.ExecuteNonQuery();
        _sequence = ExistingInteractions;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _dataSource.Dispose();
    }

    [Benchmark]
    public Task<IReadOnlyList<InteractionAppendResult>> StoreAppend() => _store.AppendAsync(_customer, [TimelineRows.Interaction(_customer, ++_sequence)]);

    [Benchmark(Baseline = true)]
    public async Task RawInsert()
    {
        var row = TimelineRows.Interaction(_customer, ++_sequence);
        await using var insert = _dataSource.CreateCommand("""
            INSERT INTO crm_timeline (tenant_id, customer_id, sequence, interaction_id, channel, direction, occurred_at, recorded_at, subject, body, duration_seconds, outcome)
            VALUES ($1, $2, $3, $4, 'call', 'inbound', $5, $6, $7, $8, $9, $10)
            """);
        var p = insert.Parameters;
        p.AddWithValue(_customer.TenantId);
        p.AddWithValue(_customer.CustomerId);
        p.AddWithValue(row.Sequence);
        p.AddWithValue(row.Id);
        p.AddWithValue(row.OccurredAt);
        p.AddWithValue(row.RecordedAt);
        p.AddWithValue(row.Subject!);
        p.AddWithValue(row.Body!);
        p.AddWithValue(row.DurationSeconds!.Value);
        p.AddWithValue(row.Outcome!);
        await insert.ExecuteNonQueryAsync();
    }
}
