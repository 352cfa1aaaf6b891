using System.Collections.Immutable;
using System.Globalization;
using Crm.Ingestion;
using Crm.Security;
using Crm.Storage;
using Crm.Timeline;
using Crm.Web.Api;

namespace Crm.Web.Timeline;

/// <summary>Checks an interaction request field by field and turns it into what the customer grain records.</summary>
public sealed class Interactions(TimeProvider time)
{

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
        if (request.DurationSeconds is < 0 or > InteractionLimits.MaxDurationSeconds)
        {
            errors.Add("durationSeconds", $"Between 0 and {InteractionLimits.MaxDurationSeconds}.");
        }

        var interaction = new NewInteraction
        {
            Channel = channel ?? default,
            Direction = direction,
            OccurredAt = occurredAt,
            Agent = actor,
            RecordedBy = actor,
            Subject = errors.Text("subject", request.Subject, InteractionLimits.MaxSubjectLength),
            Body = errors.Text("body", request.Body, InteractionLimits.MaxBodyLength),
            DurationSeconds = request.DurationSeconds,
            Outcome = errors.Text("outcome", request.Outcome, InteractionLimits.MaxOutcomeLength),
            ExternalId = errors.Text("externalId", request.ExternalId, InteractionLimits.MaxExternalIdLength),
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
        else if (parsed > now + EventTimes.MaxClockAhead || parsed < EventTimes.Earliest)
        {
            errors.Add("occurredAt", $"Must be after {EventTimes.Earliest:yyyy-MM-dd} and not more than {EventTimes.MaxClockAhead.TotalHours:0} hours ahead of now.");
        }

        return parsed.ToUniversalTime();
    }

    private static ImmutableDictionary<string, string> Metadata(ValidationErrors errors, Dictionary<string, string?>? values) =>
        errors.Entries<string?, string>("metadata", values, InteractionLimits.MaxMetadataEntries, (key, value) =>
            key.Length is 0 or > InteractionLimits.MaxMetadataKeyLength ? (null, $"Keys are 1 to {InteractionLimits.MaxMetadataKeyLength} characters.")
            : value is null || value.Length > InteractionLimits.MaxMetadataValueLength ? (null, $"A string of at most {InteractionLimits.MaxMetadataValueLength} characters.")
            : (StorableText.Problem(key) ?? StorableText.Problem(value)) is { } problem ? (null, problem)
            : (value, null));
}
