using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Crm.Analytics;
using Crm.Customers;
using Crm.Segments;
using Crm.Security;
using Crm.Timeline;
using Crm.Web.Hosting;
using Crm.Web.Security;

namespace Crm.Web.Demo;

/// <summary>
/// Seeds the demo tenant: its users, 150 customers with plans, orders and conversations built from public data.
/// Idempotent: existing customers are left alone, interactions carry external ids and are stored once.
/// </summary>
internal sealed partial class DemoSeeder(
    CrmMode mode,
    IConfiguration configuration,
    UserRegistration registration,
    IAccountStore accounts,
    IGrainFactory grains,
    TimeProvider time,
    ILogger<DemoSeeder> logger) : IHostedService
{
    private static readonly string[] GivenNames =
    [
        "Ada", "Ben", "Chloé", "Dmitri", "Elena", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kaia", "Luca", "Maya", "Nils",
        "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tara", "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe", "Amelie", "Bruno",
    ];

    private static readonly string[] FamilyNames =
    [
        "Andersen", "Bauer", "Costa", "Dubois", "Eriksson", "Fischer", "García", "Hansen", "Ito", "Jansen", "Keller", "Laine",
        "Moreau", "Novak", "Olsen", "Peeters", "Rossi", "Schmidt", "Tanaka", "Usman", "Virtanen", "Weber", "Yilmaz", "Zimmermann",
    ];

    private static readonly Dictionary<string, string> Countries = new()
    {
        ["Australia"] = "AU", ["Austria"] = "AT", ["Belgium"] = "BE", ["Cyprus"] = "CY", ["Denmark"] = "DK", ["Finland"] = "FI",
        ["France"] = "FR", ["Germany"] = "DE", ["Greece"] = "GR", ["Iceland"] = "IS", ["Italy"] = "IT", ["Japan"] = "JP",
        ["Netherlands"] = "NL", ["Norway"] = "NO", ["Poland"] = "PL", ["Portugal"] = "PT", ["Singapore"] = "SG", ["Spain"] = "ES",
        ["Sweden"] = "SE", ["Switzerland"] = "CH", ["United Kingdom"] = "GB", ["EIRE"] = "IE",
    };

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!mode.SeedDemo)
        {
            return;
        }

        var started = time.GetTimestamp();
        await registration.EnsureTenantAsync(DemoSeed.TenantId, DemoSeed.TenantName, cancellationToken);
        var agent = await SeedUsersAsync(cancellationToken);
        var interactions = await SeedCustomersAsync(agent, cancellationToken);
        await SeedSegmentAsync(agent);
        LogSeeded(DemoSeed.TenantId, interactions, time.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>A segment to start from: the demo's high spenders who have not left.</summary>
    private async Task SeedSegmentAsync(Actor agent)
    {
        var segments = grains.GetGrain<ISegmentsGrain>(DemoSeed.TenantId);
        if ((await segments.ListAsync()).Count > 0)
        {
            return;
        }

        using var rules = JsonDocument.Parse("""{"all":[{"field":"tags","op":"contains","value":"vip"},{"field":"lifecycle","op":"ne","value":"churned"}]}""");
        var rule = SegmentRules.Parse(rules.RootElement, new Dictionary<string, FieldDefinition>()).Rule!;
        await segments.CreateAsync("VIPs still with us", rule, agent);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <returns>The demo agent, who owns half the customers and takes their calls.</returns>
    private async Task<Actor> SeedUsersAsync(CancellationToken cancellationToken)
    {
        var password = mode.Embedded ? DemoSeed.EmbeddedPassword : configuration["Crm:DemoPassword"];
        if (password is null)
        {
            LogNoDemoPassword();
        }

        foreach (var user in DemoSeed.Users)
        {
            if (password is not null)
            {
                await registration.TryRegisterAsync(DemoSeed.TenantId, user.Email, user.DisplayName, password, [user.Role], cancellationToken);
            }
        }

        var agent = await accounts.FindUserByEmailAsync(DemoSeed.Users[0].Email, cancellationToken);
        return agent is { TenantId: DemoSeed.TenantId } ? agent.ToActor() : new Actor("demo-seed", DemoSeed.Users[0].DisplayName);
    }

    private async Task<int> SeedCustomersAsync(Actor agent, CancellationToken cancellationToken)
    {
        var telco = DemoData.TelcoCustomers();
        var invoicesByCustomer = DemoData.Invoices().GroupBy(i => i.CustomerId).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var messages = DemoData.Messages();
        // Move the data set's dates so that its newest order was yesterday.
        var newest = invoicesByCustomer.SelectMany(g => g).Max(i => i.IssuedAt);
        var shift = TimeSpan.FromDays(Math.Floor((time.GetUtcNow() - newest).TotalDays) - 1);

        var seeded = 0;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, Math.Min(telco.Count, invoicesByCustomer.Count)),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (i, _) =>
            {
                var plan = telco[i];
                var invoices = invoicesByCustomer[i].OrderBy(x => x.IssuedAt).ToList();
                var customer = grains.GetGrain<ICustomerGrain>(new CustomerKey(DemoSeed.TenantId, plan.CustomerId).ToString());
                if (await customer.GetAsync() is null)
                {
                    try
                    {
                        await customer.CreateAsync(Profile(i, plan, invoices[0].Country, agent, time.GetUtcNow()), agent);
                    }
                    catch (CustomerAlreadyExistsException)
                    {
                        // Deleted in an earlier run: leave it deleted.
                        return;
                    }
                }

                foreach (var interaction in Orders(invoices, shift).Concat(Conversations(i, plan, invoices, messages, shift, agent)))
                {
                    await customer.AddInteractionAsync(interaction);
                    Interlocked.Increment(ref seeded);
                }
            });
        return seeded;
    }

    private static CustomerProfile Profile(int index, TelcoCustomer plan, string countryName, Actor agent, DateTimeOffset now)
    {
        var given = GivenNames[index % GivenNames.Length];
        var family = FamilyNames[index * 7 % FamilyNames.Length];
        var country = Countries.GetValueOrDefault(countryName);
        var paperless = plan.PaperlessBilling == "Yes";
        var attributes = new Dictionary<string, AttributeValue>
        {
            ["contract"] = AttributeValue.Text(plan.Contract),
            ["internetService"] = AttributeValue.Text(plan.InternetService),
            ["paymentMethod"] = AttributeValue.Text(plan.PaymentMethod),
            ["monthlyCharges"] = AttributeValue.Number(plan.MonthlyCharges),
            ["tenureMonths"] = AttributeValue.Number(plan.TenureMonths),
            ["paperlessBilling"] = AttributeValue.Boolean(paperless),
            ["seniorCitizen"] = AttributeValue.Boolean(plan.SeniorCitizen == 1),
        };
        if (decimal.TryParse(plan.TotalCharges, NumberStyles.Number, CultureInfo.InvariantCulture, out var total))
        {
            attributes["totalCharges"] = AttributeValue.Number(total);
        }

        var tags = new List<string> { plan.Contract.ToLowerInvariant() };
        if (plan.MonthlyCharges > 100) tags.Add("vip");
        if (plan.SeniorCitizen == 1) tags.Add("senior");

        return new CustomerProfile
        {
            DisplayName = $"{given} {family}",
            GivenName = given,
            FamilyName = family,
            Emails = [$"{Ascii(given)}.{Ascii(family)}{index}@example.com".ToLowerInvariant()],
            Phones = country == "GB" ? [$"+44207946{index:0000}"] : [],
            Company = index % 3 == 0 ? $"{family} Trading" : null,
            Country = country,
            Tags = [.. tags],
            Attributes = attributes.ToImmutableDictionary(),
            Lifecycle = plan.Churn == "Yes" ? LifecycleStage.Churned : plan.TenureMonths <= 2 ? LifecycleStage.Prospect : LifecycleStage.Customer,
            OwnerId = index % 2 == 0 ? agent.Id : null,
            Consent = ImmutableDictionary<ConsentChannel, Consent>.Empty
                .Add(ConsentChannel.Email, new Consent(paperless ? ConsentStatus.Granted : ConsentStatus.Denied, now, "demo-seed"))
                .Add(ConsentChannel.Sms, new Consent(index % 3 == 0 ? ConsentStatus.Granted : ConsentStatus.Unknown, now, "demo-seed")),
        };
    }

    private static IEnumerable<NewInteraction> Orders(IEnumerable<RetailInvoice> invoices, TimeSpan shift) =>
        invoices.Select(invoice =>
        {
            var value = invoice.Value;
            return new NewInteraction
            {
                Channel = InteractionChannel.Order,
                Direction = InteractionDirection.Inbound,
                OccurredAt = invoice.IssuedAt + shift,
                Subject = invoice.IsCancellation ? $"Cancellation {invoice.InvoiceNo}" : $"Order {invoice.InvoiceNo}",
                Body = string.Create(CultureInfo.InvariantCulture, $"{Math.Abs(invoice.Quantity)} units, £{Math.Abs(value):0.00}"),
                ExternalId = $"retail-invoice-{invoice.InvoiceNo}",
                Metadata = ImmutableDictionary<string, string>.Empty
                    .Add("quantity", invoice.Quantity.ToString(CultureInfo.InvariantCulture))
                    .Add("value", value.ToString("0.00", CultureInfo.InvariantCulture)),
            };
        });

    /// <summary>One to three support conversations after orders, in the customers' own (real) words.</summary>
    private static IEnumerable<NewInteraction> Conversations(
        int index, TelcoCustomer plan, List<RetailInvoice> invoices, List<DemoData.Message> messages, TimeSpan shift, Actor agent)
    {
        InteractionChannel[] channels = [InteractionChannel.Email, InteractionChannel.Chat, InteractionChannel.Call];
        var count = 1 + index % 3;
        for (var k = 0; k < count; k++)
        {
            var message = messages[(index * 3 + k) % messages.Count];
            var channel = channels[(index + k) % channels.Length];
            var after = invoices[k % invoices.Count].IssuedAt + shift;
            yield return new NewInteraction
            {
                Channel = channel,
                Direction = InteractionDirection.Inbound,
                OccurredAt = after + TimeSpan.FromHours(20 + 7 * k),
                Agent = agent,
                RecordedBy = agent,
                Subject = channel == InteractionChannel.Call ? "Support call" : $"Support {DbName(channel)}",
                Body = message.Text,
                DurationSeconds = channel == InteractionChannel.Call ? 120 + (index * 37 + k * 53) % 900 : null,
                Outcome = message.Positive ? "resolved" : "follow-up",
                ExternalId = $"demo-conversation-{plan.CustomerId}-{k}",
            };
        }
    }

    private static string DbName(InteractionChannel channel) => channel.ToString().ToLowerInvariant();

    private static string Ascii(string name) =>
        new(name.Normalize(System.Text.NormalizationForm.FormD).Where(char.IsAsciiLetter).ToArray());

    [LoggerMessage(LogLevel.Information, "Demo tenant '{TenantId}' seeded: {Interactions} interactions checked in {Seconds:0.0} s")]
    private partial void LogSeeded(string tenantId, int interactions, double seconds);

    [LoggerMessage(LogLevel.Warning, "Demo data is seeded without its users: in PostgreSQL mode set Crm__DemoPassword to give them a password.")]
    private partial void LogNoDemoPassword();
}
