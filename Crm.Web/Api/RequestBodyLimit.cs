using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Crm.Web.Api;

/// <summary>
/// Applies the endpoint's body size limit (<see cref="BodySizeLimit"/>, else Kestrel's) and answers a request whose
/// declared body is over it with a 400 that names the body, before anything reads it. (A chunked body over the
/// limit is still cut off by Kestrel itself, with a 413.)
/// </summary>
internal sealed class RequestBodyLimit(RequestDelegate next, IOptions<KestrelServerOptions> kestrel)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<BodySizeLimit>()?.Bytes ?? kestrel.Value.Limits.MaxRequestBodySize;
        if (context.Request.ContentLength > limit)
        {
            var problem = ValidationErrors.Single("body", $"The request body is larger than the limit of {limit} bytes.");
            await problem.ExecuteAsync(context);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        await next(context);
    }
}
