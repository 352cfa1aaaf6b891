using Microsoft.AspNetCore.Http.HttpResults;

namespace Crm.Web.Api;

public static class RequestBodies
{
    /// <summary>
    /// The body as sent (decompressed, when it came compressed), or the 400 to answer: when it is longer than
    /// <paramref name="maxBytes"/> (the reading stops there, whatever the body claims or compresses to) or does not
    /// decompress as its Content-Encoding says.
    /// </summary>
    /// <remarks>
    /// Read into one buffer of the length the body declares, when it declares one and is not compressed (the tracking
    /// API's batches arrive at thousands a second: no growing and no copying), else one that doubles as it fills.
    /// </remarks>
    public static async Task<(ReadOnlyMemory<byte> Body, ValidationProblem? Problem)> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        var declared = request.ContentLength is { } length && request.Headers.ContentEncoding.Count == 0 ? Math.Min(length, maxBytes) : 16 * 1024;
        // One byte beyond the declared length, so that a body longer than it says is read on (and refused past the limit).
        var buffer = new byte[(int)Math.Min(declared + 1, maxBytes + 1L)];
        var written = 0;
        try
        {
            while (true)
            {
                if (written == buffer.Length)
                {
                    Array.Resize(ref buffer, (int)Math.Min(buffer.Length * 2L, maxBytes + 1L));
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(written), cancellationToken);
                if (read == 0)
                {
                    return (buffer.AsMemory(0, written), null);
                }

                written += read;
                if (written > maxBytes)
                {
                    return (default, TooLarge(maxBytes));
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // The server's own limit (on the wire, or once decompressed) stopped it first.
            return (default, TooLarge(maxBytes));
        }
        catch (InvalidDataException)
        {
            return (default, NotDecompressible(request));
        }
    }

    public static ValidationProblem NotDecompressible(HttpRequest request) =>
        ValidationErrors.Single("body", $"The body does not decompress as its Content-Encoding ({request.Headers.ContentEncoding}) says.");

    private static ValidationProblem TooLarge(int maxBytes) =>
        ValidationErrors.Single("body", $"Larger than {maxBytes / 1024} KB once decompressed.");
}
