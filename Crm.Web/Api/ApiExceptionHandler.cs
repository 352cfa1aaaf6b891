using System.Text.Json;
using Crm.Customers;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Crm.Storage;

namespace Crm.Web.Api;

/// <summary>
/// Every failure the caller can do something about becomes a ProblemDetails with the right status:
/// bad bodies name the field, domain outcomes map to 404/409/412, and an unreachable cluster or database is a 503.
/// </summary>
internal sealed partial class ApiExceptionHandler(
    IProblemDetailsService problemDetails,
    ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var problem = Describe(exception);
        if (problem is null)
        {
            return false;
        }

        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            LogUnavailable(exception, context.Request.Path);
            context.Response.Headers.RetryAfter = "5";
        }

        context.Response.StatusCode = problem.Status!.Value;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private ProblemDetails? Describe(Exception exception) => exception switch
    {
        BadHttpRequestException { InnerException: JsonException json } => Invalid(JsonProblems.Describe(json)),
        JsonException json => Invalid(JsonProblems.Describe(json)),
        BadHttpRequestException { InnerException: InvalidDataException } or InvalidDataException =>
            Invalid(("body", "The body does not decompress as its Content-Encoding says.")),
        BadHttpRequestException bad => new ProblemDetails { Status = bad.StatusCode, Title = "The request could not be read.", Detail = bad.Message },
        CustomerNotFoundException => new ProblemDetails { Status = StatusCodes.Status404NotFound, Title = "Not found.", Detail = exception.Message },
        CustomerAlreadyExistsException => new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "Already exists.", Detail = exception.Message },
        VersionConflictException conflict => new ProblemDetails
        {
            Status = StatusCodes.Status412PreconditionFailed,
            Title = "The customer was changed by someone else.",
            Detail = $"{conflict.Message} Read it again and reapply your change.",
            Extensions = { ["currentVersion"] = conflict.CurrentVersion },
        },
        IdentityTakenException taken => new ValidationProblemDetails(new Dictionary<string, string[]>
        {
            [taken.Field] = [taken.Message],
        })
        {
            Status = StatusCodes.Status409Conflict,
            Title = "Another customer is known by this already.",
            Extensions = { ["customerId"] = taken.OwnerId },
        },
        ExternalIdConflictException conflict => new ValidationProblemDetails(new Dictionary<string, string[]>
        {
            ["externalId"] = [conflict.Message],
        })
        {
            Status = StatusCodes.Status409Conflict,
            Title = "The external id is taken.",
        },
        Crm.Merges.MergeRefusedException refused => new ValidationProblemDetails(new Dictionary<string, string[]>
        {
            [refused.Field] = [refused.Message],
        })
        {
            Status = refused.Conflict ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest,
            Title = refused.Conflict ? "The customers' state does not allow it." : "The request is not valid.",
        },
        CustomerMergedException merged => new ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Title = "The customer was merged.",
            Detail = merged.Message,
            Extensions = { ["survivorId"] = merged.MergedInto },
        },
        CannotMergeException => new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "The customer cannot be merged.", Detail = exception.Message },
        _ when TransientFailures.Is(exception) => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Temporarily unavailable.",
                Detail = "A part of the service is not reachable right now; nothing was changed unless a later read shows it. Try again shortly.",
            },
        _ => null,
    };

    private static ValidationProblemDetails Invalid((string Field, string Message) error) =>
        new(new Dictionary<string, string[]> { [error.Field] = [error.Message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is not valid.",
        };

    [LoggerMessage(LogLevel.Warning, "Unavailable while serving {Path}")]
    private partial void LogUnavailable(Exception exception, PathString path);
}
