using Crm.Customers;
using Crm.Ingestion;
using Crm.Security;
using Crm.Storage;
using Crm.Tests.Infrastructure;
using Crm.Timeline;
using Crm.Web.Ingestion;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Tests.Storage;

/// <summary>
/// Where one transaction carries many callers' rows (group commit), a row PostgreSQL refuses fails its own caller only:
/// even when it slipped past validation, it never takes down the requests, or the tenants, it was committed with.
/// </summary>
public sealed class GroupCommitIsolationTests(MigratedDatabaseFixture database) : IClassFixture<MigratedDatabaseFixture>
{
    [Fact]
    public async Task An_ingest_request_whose_event_the_database_refuses_is_told_and_the_others_committed_with_it_are_stored()
    {
        await using var web = new CrmWebFactory(database.Database.ConnectionString, new Dictionary<string, string?>
        {
            ["Orleans:ClusterId"] = $"isolation-{Guid.NewGuid():N}",
        });
        web.StartServer();
        var writer = web.Services.GetRequiredService<IngestWriter>();
        // Bypassing the edge's checks, as a bug might: PostgreSQL cannot store a NUL in text.
        var requests = Enumerable.Range(0, 40).Select(i => (Tenant: TestTenants.New(), Event: Tracked(i == 17 ? "poison\0" : $"good-{i}"))).ToList();

        var results = await Task.WhenAll(requests.Select(r => writer.TryAppendAsync(r.Tenant, [r.Event], CancellationToken.None)));

        Assert.All(results, r => Assert.NotNull(r));
        Assert.Contains(0, results[17]!.Refused.Keys);
        Assert.All(results.Where((_, i) => i != 17), r => Assert.Equal([true], r!.IsNew));
        Assert.Equal(39, await database.Database.ScalarAsync<long>("SELECT count(*) FROM crm_ingest_events WHERE tenant_id = ANY ($1)", (object)requests.Select(r => r.Tenant).ToArray()));
    }

    [Fact]
    public async Task A_timeline_row_the_database_refuses_fails_that_customers_append_only()
    {
        await using var store = new PostgresTimelineStore(database.DataSource);
        var tenant = TestTenants.New();
        var appends = Enumerable.Range(0, 40).Select(i => store.AppendAsync(new CustomerKey(tenant, $"c{i}"), [Row($"c{i}", i == 23 ? "bad\0subject" : "fine")])).ToList();

        await Task.WhenAll(appends.Select(a => a.ContinueWith(_ => { }, TaskScheduler.Default)));

        Assert.True(DatabaseErrors.IsRowError(Assert.IsAssignableFrom<Exception>(appends[23].Exception?.InnerException)));
        Assert.All(appends.Where((_, i) => i != 23), a => Assert.True(a.Result[0].Created));
        Assert.Equal(39, await database.Database.ScalarAsync<long>("SELECT count(*) FROM crm_timeline WHERE tenant_id = $1", tenant));
    }

    private static IngestEvent Tracked(string messageId) => new()
    {
        MessageId = messageId,
        SourceId = Guid.NewGuid(),
        SourceName = "Test",
        Type = IngestEventType.Track,
        Identities = [new Identity(IdentityKind.User, "u-1")],
        Name = "Viewed",
        Timestamp = DateTimeOffset.UtcNow,
        ReceivedAt = DateTimeOffset.UtcNow,
        Interaction = new NewInteraction { Channel = InteractionChannel.Web, Subject = "Viewed", OccurredAt = DateTimeOffset.UtcNow, ExternalId = messageId },
    };

    private static Interaction Row(string customerId, string subject) => new()
    {
        Id = Guid.CreateVersion7(),
        CustomerId = customerId,
        Sequence = 1,
        Channel = InteractionChannel.Note,
        Direction = InteractionDirection.Internal,
        OccurredAt = DateTimeOffset.UtcNow,
        RecordedAt = DateTimeOffset.UtcNow,
        Subject = subject,
        RecordedBy = new Actor("test", "Test"),
    };
}
