using Crm.Imports;

namespace Crm.Web.Imports;

/// <summary>An import as the API and the hub show it.</summary>
/// <param name="RowsPerSecond">Rows read a second since it started.</param>
/// <param name="Eta">Seconds left to read the file at that pace, while it runs.</param>
public sealed record ImportResponse(
    Guid Id,
    string Status,
    string Kind,
    string FileName,
    string MatchOn,
    bool DryRun,
    long RowsRead,
    long Created,
    long Updated,
    long Unchanged,
    long Rejected,
    double RowsPerSecond,
    double? Eta,
    double Progress,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error)
{
    public static ImportResponse From(ImportJob job, DateTimeOffset now)
    {
        var elapsed = ((job.FinishedAt ?? now) - (job.StartedAt ?? now)).TotalSeconds;
        var rate = elapsed > 0 ? job.RowsRead / elapsed : 0;
        // A file's progress is in bytes, a query's in rows.
        var size = job.Spec.DatabaseId is null ? job.Spec.FileBytes : job.Spec.QueryRows;
        var read = size > 0 ? Math.Min(1, (double)job.BytesRead / size) : 0;
        var progress = job.Status == ImportStatus.Completed ? 1 : job.Spec.DryRun || job.RowsRead == 0 ? read : read * Math.Min(1, (double)(job.Applied + job.Rejected) / job.RowsRead);
        double? eta = job.Status == ImportStatus.Running && progress > 0 ? Math.Round(elapsed * (1 - progress) / progress, 1) : null;
        return new(job.Id, Lower(job.Status), Lower(job.Spec.Kind), job.Spec.FileName, job.Spec.MatchOn == ImportMatchKey.Email ? "email" : "externalId",
            job.Spec.DryRun, job.RowsRead, job.Created, job.Updated, job.Unchanged, job.Rejected, Math.Round(rate, 1), eta, Math.Round(progress, 4),
            job.Spec.CreatedAt, job.StartedAt, job.FinishedAt, job.Error);
    }

    private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
