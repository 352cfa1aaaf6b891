using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Crm.Web.Api;

/// <summary>
/// Answers a request whose declared body is over Kestrel's limit with a 400 that names the body, before anything
/// reads it. (A chunked body over the limit is still cut off by Kestrel itself, with a 413.)
/// </summary>
internal sealed class RequestBodyLimit(RequestDelegate next, IOptions<KestrelServerOptions> kestrel)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.ContentLength > kestrel.Value.Limits.MaxRequestBodySize)
        {
            var problem = ValidationErrors.Single("body", $"The request body is larger than the limit of {kestrel.Value.Limits.MaxRequestBodySize} bytes.");
            await problem.ExecuteAsync(context);
            return;
        }

        await next(context);
    }
}
