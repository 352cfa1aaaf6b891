using System.Collections.Immutable;
using Crm.Customers;
using Crm.Imports;
using Crm.Ingestion;
using Crm.Web.Api;
using Crm.Timeline;
using Crm.Web.Customers;
using Crm.Web.Timeline;

namespace Crm.Web.Imports;

/// <summary>A cell refused, for the rejected-rows file.</summary>
public sealed record RejectedCell(long Row, string Column, string Value, string Reason);

/// <summary>An import's rows as ingest events: mapped, checked and normalized by the same rules as the customer API, or refused cell by cell.</summary>
/// <param name="fields">The tenant's custom fields, as the import started.</param>
public sealed class ImportedRows(Guid importId, ImportSpec spec, Interactions interactions, IReadOnlyDictionary<string, FieldDefinition> fields)
{
    private readonly System.Globalization.CultureInfo _culture = spec.Culture is { } name ? System.Globalization.CultureInfo.GetCultureInfo(name) : System.Globalization.CultureInfo.InvariantCulture;
    private readonly ILookup<string, string> _columnsByField = spec.Mapping.ToLookup(m => m.Value, m => m.Key, StringComparer.Ordinal);

    public string MatchField => ImportFields.Of(spec.MatchOn);

    /// <returns>The event, or why the row is refused.</returns>
    public (IngestEvent? Event, IReadOnlyList<RejectedCell> Problems) Read(ImportRow row, DateTimeOffset now)
    {
        if (row.Problem is not null)
        {
            return (null, [new RejectedCell(row.Number, "", "", row.Problem)]);
        }

        var values = spec.Mapping
            .Where(m => row.Cells.ContainsKey(m.Key))
            .ToDictionary(m => m.Value, m => row.Cells[m.Key], StringComparer.Ordinal);
        var errors = new ValidationErrors();
        var traits = CustomerProfiles.Fields(errors, ImportFields.Request(values, fields, _culture), fields, _culture);
        var identities = spec.MatchOn == ImportMatchKey.Email
            ? Identities(traits.Email is null ? null : new Identity(IdentityKind.Email, traits.Email), traits)
            : Identities(IdentityRules.User(traits.ExternalId), traits);
        NewInteraction? interaction = null;
        if (spec.Kind == ImportKind.Interactions)
        {
            interaction = Interaction(errors, values, identities.FirstOrDefault(), timed: values.ContainsKey("interaction.occurredAt"));
            // The row names the customer only: it changes nothing of the profile.
            identities = identities.IsEmpty ? [] : [identities[0]];
        }
        if (!errors.Any && (identities.IsEmpty || identities[0].Kind != (spec.MatchOn == ImportMatchKey.Email ? IdentityKind.Email : IdentityKind.User)))
        {
            errors.Add(MatchField, "Required: the import matches customers on it.");
        }

        if (errors.Any)
        {
            return (null, [.. errors.ToDictionary().SelectMany(e => e.Value.Select(reason => Rejected(row, e.Key, reason)))]);
        }

        return (new IngestEvent
        {
            MessageId = ImportJob.MessageId(importId, row.Number),
            SourceId = importId,
            SourceName = $"Import of {spec.FileName}",
            Type = IngestEventType.Import,
            ReceivedAt = now,
            Identities = identities,
            Traits = spec.Kind == ImportKind.Customers ? traits : null,
            Interaction = interaction,
            Timestamp = interaction?.OccurredAt ?? now,
        }, []);
    }

    /// <param name="timed">Whether the row says when it happened: a time that defaulted to now is no part of what identifies it.</param>
    private NewInteraction? Interaction(ValidationErrors errors, IReadOnlyDictionary<string, string> values, Identity? customer, bool timed)
    {
        var (checkedInteraction, problems) = interactions.Validate(ImportFields.Interaction(values), spec.StartedBy);
        foreach (var (field, reasons) in problems.ToDictionary())
        {
            foreach (var reason in reasons)
            {
                errors.Add(ImportFields.InteractionPrefix + field, reason);
            }
        }

        if (checkedInteraction is null || customer is null)
        {
            return null;
        }

        // Who did it is not known; who imported it is. Without an id of its own, the same row imported again is the
        // same interaction: its id is made from what it says.
        return checkedInteraction with
        {
            Agent = null,
            ExternalId = checkedInteraction.ExternalId ?? $"import-{Convert.ToHexStringLower(System.IO.Hashing.XxHash128.Hash(System.Text.Encoding.UTF8.GetBytes(
                string.Join('\u001f', customer.Key, checkedInteraction.Channel, checkedInteraction.Direction, timed ? checkedInteraction.OccurredAt.ToString("O") : "", checkedInteraction.Subject, checkedInteraction.Body))))}",
        };
    }

    /// <summary>The match key first (it decides the customer), then every other identity the row gives the customer.</summary>
    private static ImmutableArray<Identity> Identities(Identity? match, Traits traits)
    {
        var all = new List<Identity?> { match, IdentityRules.User(traits.ExternalId) };
        all.AddRange(new[] { traits.Email }.Concat(traits.MoreEmails).Select(e => e is null ? null : new Identity(IdentityKind.Email, e)));
        all.AddRange(new[] { traits.Phone }.Concat(traits.MorePhones).Select(p => p is null ? null : new Identity(IdentityKind.Phone, p)));
        return match is null ? [] : [.. all.OfType<Identity>().Distinct()];
    }

    private RejectedCell Rejected(ImportRow row, string field, string reason)
    {
        // Problems are named by field ("emails[1]", "address.city"): the report names the column they came from.
        var baseField = field.Split('[')[0];
        var column = _columnsByField[baseField].FirstOrDefault() ?? _columnsByField[field].FirstOrDefault() ?? field;
        return new RejectedCell(row.Number, column, row.Cells.GetValueOrDefault(column) ?? "", reason);
    }
}
