using System.Globalization;
using System.Text.Json;

namespace Crm.Ingestion;

/// <summary>When what integrations report happened: ISO 8601 times within the calendar the stores keep, corrected for the sender's clock.</summary>
public static class EventTimes
{
    public static readonly DateTimeOffset Earliest = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Clocks differ; beyond this, a time in the future is a mistake.</summary>
    public static readonly TimeSpan MaxClockAhead = TimeSpan.FromDays(1);

    /// <summary>A time field; null when absent. A value that is not a time, or is outside 1900–9999, is a problem.</summary>
    public static DateTimeOffset? Read(JsonElement message, string property, List<FieldProblem> problems)
    {
        if (!JsonFields.Has(message, property))
        {
            return null;
        }

        var value = message.GetProperty(property);
        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            && parsed >= Earliest)
        {
            return parsed.ToUniversalTime();
        }

        problems.Add(new FieldProblem(property, "An ISO 8601 date and time after 1900, e.g. 2026-01-01T10:00:00Z."));
        return null;
    }

    /// <summary>
    /// Segment's correction for the sender's clock: the time between "it happened" and "it was sent", measured on the
    /// sender's clock, counted back from when it arrived. The result must lie between 1900 and a day after arrival.
    /// </summary>
    public static DateTimeOffset? Occurred(DateTimeOffset? timestamp, DateTimeOffset? sentAt, DateTimeOffset receivedAt, string field, List<FieldProblem> problems)
    {
        var ticks = timestamp is { } t && sentAt is { } s
            ? receivedAt.UtcTicks - (s.UtcTicks - t.UtcTicks)
            : (timestamp ?? receivedAt).UtcTicks;
        if (ticks < Earliest.UtcTicks || ticks > (receivedAt + MaxClockAhead).UtcTicks)
        {
            problems.Add(new FieldProblem(field, $"Must be after {Earliest:yyyy-MM-dd} and at most {MaxClockAhead.TotalHours:0} hours ahead of now (after correcting for sentAt)."));
            return null;
        }

        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }
}
