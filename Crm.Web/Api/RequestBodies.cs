using System.Buffers;

namespace Crm.Web.Api;

public static class RequestBodies
{
    /// <summary>
    /// The body as sent (decompressed, when it came gzip-compressed), or null when it is longer than
    /// <paramref name="maxBytes"/>: the reading stops there, whatever the body claims or compresses to.
    /// </summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Min(maxBytes + 1, 16 * 1024));
        try
        {
            while (true)
            {
                var read = await request.Body.ReadAsync(buffer.GetMemory(8 * 1024), cancellationToken);
                if (read == 0)
                {
                    return buffer.WrittenSpan.ToArray();
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > maxBytes)
                {
                    return null;
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // The server's own limit (on the wire, or once decompressed) stopped it first.
            return null;
        }
    }
}
