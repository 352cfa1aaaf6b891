namespace Crm.Customers;

/// <summary>Whether two profiles hold the same values: records compare their immutable collections by reference, this compares their contents.</summary>
internal static class ProfileEquality
{
    public static bool Same(CustomerProfile a, CustomerProfile b) =>
        ReferenceEquals(a, b) || (a with
        {
            Emails = b.Emails,
            Phones = b.Phones,
            Tags = b.Tags,
            Attributes = b.Attributes,
            Consent = b.Consent,
        } == b
            && a.Emails.SequenceEqual(b.Emails)
            && a.Phones.SequenceEqual(b.Phones)
            && a.Tags.SequenceEqual(b.Tags)
            && a.Attributes.Count == b.Attributes.Count && a.Attributes.All(x => b.Attributes.TryGetValue(x.Key, out var v) && v == x.Value)
            && a.Consent.Count == b.Consent.Count && a.Consent.All(x => b.Consent.TryGetValue(x.Key, out var v) && v == x.Value));
}
