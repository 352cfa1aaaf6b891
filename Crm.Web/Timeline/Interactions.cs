using System.Collections.Immutable;
using System.Globalization;
using Crm.Security;
using Crm.Timeline;
using Crm.Web.Api;

namespace Crm.Web.Timeline;

/// <summary>Checks an interaction request field by field and turns it into what the customer grain records.</summary>
public sealed class Interactions(TimeProvider time)
{
    public const int MaxSubjectLength = 500;
    public const int MaxBodyLength = 32_000;
    public const int MaxDurationSeconds = 7 * 24 * 3600;
    public const int MaxMetadataEntries = 50;
    /// <summary>Clocks differ; beyond this, a future time is a mistake.</summary>
    public static readonly TimeSpan MaxClockAhead = TimeSpan.FromDays(1);
    public static readonly DateTimeOffset Earliest = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public (NewInteraction? Interaction, ValidationErrors Errors) Validate(InteractionRequest request, Actor actor)
    {
        var errors = new ValidationErrors();
        var channel = errors.Enum<InteractionChannel>("channel", request.Channel);
        if (channel is null && string.IsNullOrWhiteSpace(request.Channel))
        {
            errors.Add("channel", $"Required: one of {string.Join(", ", ValidationErrors.EnumNames<InteractionChannel>())}.");
        }

        var direction = errors.Enum<InteractionDirection>("direction", request.Direction)
            ?? (channel == InteractionChannel.Note ? InteractionDirection.Internal : InteractionDirection.Inbound);
        var occurredAt = OccurredAt(errors, request.OccurredAt);
        if (request.DurationSeconds is < 0 or > MaxDurationSeconds)
        {
            errors.Add("durationSeconds", $"Between 0 and {MaxDurationSeconds}.");
        }

        var interaction = new NewInteraction
        {
            Channel = channel ?? default,
            Direction = direction,
            OccurredAt = occurredAt,
            Agent = actor,
            RecordedBy = actor,
            Subject = errors.Text("subject", request.Subject, MaxSubjectLength),
            Body = errors.Text("body", request.Body, MaxBodyLength),
            DurationSeconds = request.DurationSeconds,
            Outcome = errors.Text("outcome", request.Outcome, 100),
            ExternalId = errors.Text("externalId", request.ExternalId, 200),
            Metadata = Metadata(errors, request.Metadata),
        };
        return (errors.Any ? null : interaction, errors);
    }

    private DateTimeOffset OccurredAt(ValidationErrors errors, string? value)
    {
        var now = time.GetUtcNow();
        if (string.IsNullOrWhiteSpace(value))
        {
            return now;
        }

        if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            errors.Add("occurredAt", "Expected an ISO 8601 date and time, e.g. 2026-01-01T10:00:00Z.");
        }
        else if (parsed > now + MaxClockAhead || parsed < Earliest)
        {
            errors.Add("occurredAt", $"Must be after {Earliest:yyyy-MM-dd} and not more than {MaxClockAhead.TotalHours:0} hours ahead of now.");
        }

        return parsed.ToUniversalTime();
    }

    private static ImmutableDictionary<string, string> Metadata(ValidationErrors errors, Dictionary<string, string?>? values) =>
        errors.Entries<string?, string>("metadata", values, MaxMetadataEntries, (key, value) =>
            key.Length is 0 or > 100 ? (null, "Keys are 1 to 100 characters.")
            : value is null || value.Length > 2000 ? (null, "A string of at most 2000 characters.")
            : (value, null));
}
