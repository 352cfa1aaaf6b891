using Crm.Web.Api;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Crm.Web.Imports;

/// <summary>
/// A multipart/form-data upload read as it arrives, never buffered whole: the "file" part goes to a callback as a
/// stream, the other parts (small) are collected as text.
/// </summary>
public sealed record ImportUpload(IReadOnlyDictionary<string, string> Fields, string? FileName, long FileBytes)
{
    private const int MaxFields = 10;
    private const int MaxBoundaryLength = 70;
    private const int MaxFieldChars = 64 * 1024;

    /// <param name="file">Reads the file part; returns how many bytes it took.</param>
    /// <returns>The upload, or why the body does not read as one.</returns>
    public static async Task<(ImportUpload? Upload, string? Problem)> ReadAsync(HttpRequest request, Func<Stream, Task<long>> file, CancellationToken cancellationToken)
    {
        var boundary = MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            ? HeaderUtilities.RemoveQuotes(type.Boundary).Value
            : null;
        if (string.IsNullOrEmpty(boundary))
        {
            return (null, "Send multipart/form-data with the file and the import's settings as fields.");
        }

        if (boundary.Length > MaxBoundaryLength)
        {
            return (null, $"The multipart boundary is longer than {MaxBoundaryLength} characters (RFC 2046).");
        }

        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        (string Name, long Bytes)? upload = null;
        try
        {
            var reader = new MultipartReader(boundary, request.Body);
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || disposition.Name.Value is not { } name)
                {
                    continue;
                }

                if (name.Equals("file", StringComparison.OrdinalIgnoreCase) && upload is null)
                {
                    var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                    upload = (Path.GetFileName(fileName ?? "upload"), await file(section.Body));
                }
                else if (fields.Count < MaxFields && !fields.ContainsKey(name))
                {
                    using var text = new StreamReader(section.Body);
                    var buffer = new char[MaxFieldChars + 1];
                    var read = await text.ReadBlockAsync(buffer, cancellationToken);
                    if (read > MaxFieldChars)
                    {
                        return (null, $"The field {name} is longer than {MaxFieldChars} characters.");
                    }

                    fields[name] = new string(buffer, 0, read);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            return (null, $"The multipart body does not read: {ex.Message}");
        }

        return (new ImportUpload(fields, upload?.Name is { Length: > 200 } longName ? longName[..200] : upload?.Name, upload?.Bytes ?? 0), null);
    }
}
