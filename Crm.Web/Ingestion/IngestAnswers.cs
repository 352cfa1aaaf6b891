using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Crm.Web.Ingestion;

/// <summary>The answers the tracking API and webhooks share when nothing of a request is stored.</summary>
internal static class IngestAnswers
{
    /// <summary>The ingest writer has too much in flight.</summary>
    public static ProblemHttpResult Busy(HttpContext http) =>
        RetryLater(http, TimeSpan.FromSeconds(1), "Busy: too many events are waiting to be stored.");

    /// <summary>The source sends more than its share.</summary>
    public static ProblemHttpResult RateLimited(HttpContext http, TimeSpan retryAfter) =>
        RetryLater(http, retryAfter, "Too many events from this source: it is over its rate limit.");

    private static ProblemHttpResult RetryLater(HttpContext http, TimeSpan retryAfter, string title)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: title,
            detail: "Nothing of this request was stored. Send it again after the Retry-After delay.");
    }
}
