using Microsoft.AspNetCore.Http.HttpResults;

namespace Crm.Web.Api;

public static class RequestBodies
{
    private const int MaxFirstBuffer = 64 * 1024;

    /// <summary>
    /// The body as sent (decompressed, when it came compressed), or the 400 to answer: when it is longer than
    /// <paramref name="maxBytes"/> (the reading stops there, whatever the body claims or compresses to) or does not
    /// decompress as its Content-Encoding says.
    /// </summary>
    /// <remarks>
    /// Read into one buffer that doubles as it fills and is returned without a copy. It starts at the length the body
    /// declares (the tracking API's batches arrive at thousands a second: no growing), but at no more than
    /// <see cref="MaxFirstBuffer"/>: a declared length costs nothing to send, and is not paid for before the bytes come.
    /// </remarks>
    public static async Task<(ReadOnlyMemory<byte> Body, ValidationProblem? Problem)> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        // One byte beyond the declared length, so that a body longer than it says is read on (and refused past the limit).
        var first = (int)Math.Min(Math.Min(request.ContentLength ?? 16 * 1024, maxBytes) + 1, MaxFirstBuffer);
        var buffer = new byte[first];
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
