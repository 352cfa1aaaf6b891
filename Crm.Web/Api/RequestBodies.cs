using System.Buffers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Crm.Web.Api;

public static class RequestBodies
{
    /// <summary>
    /// The body as sent (decompressed, when it came compressed), or the 400 to answer: when it is longer than
    /// <paramref name="maxBytes"/> (the reading stops there, whatever the body claims or compresses to) or does not
    /// decompress as its Content-Encoding says.
    /// </summary>
    public static async Task<(byte[]? Body, ValidationProblem? Problem)> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Min(maxBytes + 1, 16 * 1024));
        try
        {
            while (true)
            {
                var read = await request.Body.ReadAsync(buffer.GetMemory(8 * 1024), cancellationToken);
                if (read == 0)
                {
                    return (buffer.WrittenSpan.ToArray(), null);
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > maxBytes)
                {
                    return (null, TooLarge(maxBytes));
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // The server's own limit (on the wire, or once decompressed) stopped it first.
            return (null, TooLarge(maxBytes));
        }
        catch (InvalidDataException)
        {
            return (null, NotDecompressible(request));
        }
    }

    public static ValidationProblem NotDecompressible(HttpRequest request) =>
        ValidationErrors.Single("body", $"The body does not decompress as its Content-Encoding ({request.Headers.ContentEncoding}) says.");

    private static ValidationProblem TooLarge(int maxBytes) =>
        ValidationErrors.Single("body", $"Larger than {maxBytes / 1024} KB once decompressed.");
}
