namespace Crm;

/// <summary>Provider and stream names shared by every host, grain and client.</summary>
public static class Constants
{
    public const string StreamProvider = "crm";

    public const string GrainStorage = "crm";

    /// <summary>Orleans' streaming runtime looks its subscription store up by this exact name.</summary>
    public const string PubSubStorage = "PubSubStore";

    /// <summary>One stream per customer, keyed like the customer grain: "{tenant}/{customerId}".</summary>
    public const string CustomerStreamNamespace = "customer";

    /// <summary>Who is looking at a customer right now, keyed like the customer: ephemeral, not part of its history.</summary>
    public const string CustomerViewersStreamNamespace = "customer-viewers";

    /// <summary>Users disabled and sources revoked, one stream for the whole deployment (key <see cref="RevocationStreamKey"/>), for every web node.</summary>
    public const string RevocationStreamNamespace = "revocations";

    public const string RevocationStreamKey = "all";

    /// <summary>Batches of what happened in a tenant, keyed by tenant, for the analytic grains.</summary>
    public const string ActivityStreamNamespace = "activity";

    /// <summary>A tenant's live KPIs as they change, keyed by tenant, for dashboards.</summary>
    public const string DashboardStreamNamespace = "dashboards";

    /// <summary>A tenant's imports as they progress, keyed by tenant, for the pages watching them.</summary>
    public const string ImportStreamNamespace = "imports";

    /// <summary>A tenant's segment member counts as they move, keyed by tenant, for the pages watching them.</summary>
    public const string SegmentCountsStreamNamespace = "segment-counts";

    /// <summary>
    /// Customers entering and leaving a tenant's saved segments, keyed by tenant, for the analytic and campaign grains
    /// that follow a segment: batches of <c>SegmentMembershipChanges</c>.
    /// </summary>
    public const string SegmentMembershipStreamNamespace = "segment-membership";

    /// <summary>A tenant's duplicate scan as it progresses, keyed by tenant, for the pages watching it.</summary>
    public const string DuplicateScanStreamNamespace = "duplicate-scan";

    /// <summary>A tenant's value segments as their training moves and versions change (<see cref="Analytics.ValueSegments"/>), keyed by tenant.</summary>
    public const string ValueSegmentsStreamNamespace = "value-segments";
}
