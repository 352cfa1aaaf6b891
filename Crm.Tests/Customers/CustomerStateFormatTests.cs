using System.Collections.Immutable;
using Crm.Customers;
using Crm.Security;
using Crm.Tests.Infrastructure;
using Crm.Timeline;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Crm.Tests.Customers;

/// <summary>
/// Customer state written by an earlier build must read back. Fixtures/customer-state.v1.bin holds a state as
/// the grain storage serializer wrote it when the format was introduced; it is never regenerated, only added to:
/// a new format version gets a new file (set CRM_WRITE_STATE_FIXTURE=v2 to write one) and a test of its own.
/// </summary>
[Collection(InMemoryClusterCollection.Name)]
public sealed class CustomerStateFormatTests(InMemoryClusterFixture fixture)
{
    private static readonly string FixturePath = Path.Combine(AppContext.BaseDirectory, "Fixtures", "customer-state.v1.bin");

    [Fact]
    public void Grain_state_is_stored_with_orleans_serializer()
    {
        Assert.IsType<OrleansGrainStorageSerializer>(StorageSerializer());
    }

    [Fact]
    public void Reads_customer_state_written_by_an_earlier_version()
    {
        WriteFixtureIfAsked();

        var state = StorageSerializer().Deserialize<CustomerState>(BinaryData.FromBytes(File.ReadAllBytes(FixturePath)))!;

        var expected = Sample();
        Assert.Equal(expected.Profile.DisplayName, state.Profile.DisplayName);
        Assert.Equal<string>(expected.Profile.Emails, state.Profile.Emails);
        Assert.Equal<string>(expected.Profile.Phones, state.Profile.Phones);
        Assert.Equal(expected.Profile.Address, state.Profile.Address);
        Assert.Equal(expected.Profile.Attributes.OrderBy(a => a.Key), state.Profile.Attributes.OrderBy(a => a.Key));
        Assert.Equal(expected.Profile.Consent.OrderBy(c => c.Key), state.Profile.Consent.OrderBy(c => c.Key));
        Assert.Equal(expected.Profile.Lifecycle, state.Profile.Lifecycle);
        Assert.Equal((expected.Version, expected.Sequence, expected.ProfileSequence), (state.Version, state.Sequence, state.ProfileSequence));
        Assert.Equal((expected.CreatedAt, expected.CreatedBy), (state.CreatedAt, state.CreatedBy));
        Assert.Equal(expected.Activity.TotalInteractions, state.Activity.TotalInteractions);
        Assert.Equal(expected.Activity.InteractionsByChannel.OrderBy(c => c.Key), state.Activity.InteractionsByChannel.OrderBy(c => c.Key));
        // Written by v1, no longer read: the grain reads its recent interactions back from the timeline.
        Assert.Empty(state.Recent);
    }

    private IGrainStorageSerializer StorageSerializer() =>
        ((InProcessSiloHandle)fixture.Cluster.Silos[0]).SiloHost.Services.GetRequiredKeyedService<IGrainStorageSerializer>(Constants.GrainStorage);

    private void WriteFixtureIfAsked()
    {
        if (Environment.GetEnvironmentVariable("CRM_WRITE_STATE_FIXTURE") is { Length: > 0 } version)
        {
            var target = Path.Combine(Path.GetDirectoryName(FixturePath)!, $"customer-state.{version}.bin");
            File.WriteAllBytes(target, StorageSerializer().Serialize(Sample()).ToArray());
        }
    }

    private static CustomerState Sample()
    {
        var at = new DateTimeOffset(2026, 11, 25, 9, 30, 0, TimeSpan.Zero);
        var agent = new Actor("0193a1b2-0000-7000-8000-000000000001", "Alex Agent");
        var call = new Interaction
        {
            Id = Guid.Parse("0193a1b2-0000-7000-8000-0000000000c1"),
            CustomerId = "7590-VHVEG",
            Sequence = 2,
            Channel = InteractionChannel.Call,
            Direction = InteractionDirection.Inbound,
            OccurredAt = at.AddMinutes(5),
            RecordedAt = at.AddMinutes(6),
            Agent = agent,
            Subject = "Billing question",
            Body = "Wants to change the card on file.",
            DurationSeconds = 340,
            Outcome = "resolved",
            ExternalId = "pbx-123",
            Metadata = ImmutableDictionary<string, string>.Empty.Add("queue", "billing"),
            RecordedBy = agent,
        };
        return new CustomerState
        {
            Profile = new CustomerProfile
            {
                DisplayName = "Ada Lovelace",
                GivenName = "Ada",
                FamilyName = "Lovelace",
                Emails = ["ada@example.com"],
                Phones = ["+442079460000"],
                Company = "Analytical Engines",
                JobTitle = "Analyst",
                Country = "GB",
                Address = new PostalAddress { Line1 = "12 St James's Square", City = "London", PostalCode = "SW1Y 4LB", Country = "GB" },
                Tags = ["vip"],
                Attributes = ImmutableDictionary<string, AttributeValue>.Empty
                    .Add("plan", AttributeValue.Text("pro"))
                    .Add("seats", AttributeValue.Number(12.5m))
                    .Add("trial", AttributeValue.Boolean(false))
                    .Add("renewal", AttributeValue.Date(new DateOnly(2027, 1, 31))),
                Lifecycle = LifecycleStage.Customer,
                OwnerId = agent.Id,
                Consent = ImmutableDictionary<ConsentChannel, Consent>.Empty.Add(ConsentChannel.Email, new Consent(ConsentStatus.Granted, at, "web-form")),
            },
            Version = 1,
            Sequence = 2,
            ProfileSequence = 1,
            CreatedAt = at,
            UpdatedAt = at,
            CreatedBy = agent,
            UpdatedBy = agent,
            Activity = CustomerActivity.None.Count(call),
            Recent = [call],
        };
    }
}
