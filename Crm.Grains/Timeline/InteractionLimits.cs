namespace Crm.Timeline;

/// <summary>How large the parts of an interaction may be, wherever it comes from: the API, events, webhooks, imports.</summary>
public static class InteractionLimits
{
    public const int MaxSubjectLength = 500;
    public const int MaxBodyLength = 32_000;
    public const int MaxDurationSeconds = 7 * 24 * 3600;
    public const int MaxOutcomeLength = 100;
    public const int MaxExternalIdLength = 200;
    public const int MaxMetadataEntries = 50;
    public const int MaxMetadataKeyLength = 100;
    public const int MaxMetadataValueLength = 2000;
}
