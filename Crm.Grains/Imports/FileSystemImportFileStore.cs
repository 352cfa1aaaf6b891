namespace Crm.Imports;

/// <summary>
/// Import files on this machine's disk, under a folder of their own: for the embedded mode, where the whole cluster
/// is this process (and the folder is removed with it).
/// </summary>
public sealed class FileSystemImportFileStore : IImportFileStore, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "crm-imports", Guid.NewGuid().ToString("N"));

    public Task<long> SaveAsync(ImportBlob blob, Stream content, CancellationToken cancellationToken = default) =>
        ImportChunks.SaveAsync(this, blob, content, cancellationToken);

    public async Task WriteChunkAsync(ImportBlob blob, int chunk, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var folder = Directory.CreateDirectory(Folder(blob)).FullName;
        var temporary = Path.Combine(folder, $"{chunk}.{Guid.NewGuid():N}.part");
        await using (var file = File.Create(temporary))
        {
            await file.WriteAsync(data, cancellationToken);
        }

        // Whole or not at all: a reader never sees half a chunk.
        File.Move(temporary, Path.Combine(folder, $"{chunk:D10}.chunk"), overwrite: true);
    }

    public Stream OpenRead(ImportBlob blob) => new ChunkedReadStream(async (last, cancellationToken) =>
    {
        var folder = Folder(blob);
        if (!Directory.Exists(folder))
        {
            return null;
        }

        var next = Directory.EnumerateFiles(folder, "*.chunk")
            .Select(path => int.Parse(Path.GetFileNameWithoutExtension(path), System.Globalization.CultureInfo.InvariantCulture))
            .Where(chunk => chunk > last)
            .DefaultIfEmpty(-1)
            .Min();
        return next < 0 ? null : (next, await File.ReadAllBytesAsync(Path.Combine(folder, $"{next:D10}.chunk"), cancellationToken));
    });

    public Task DeleteAsync(string tenantId, Guid importId, string? name = null, CancellationToken cancellationToken = default)
    {
        var import = Path.Combine(_root, Safe(tenantId), importId.ToString("N"));
        var folder = name is null ? import : Path.Combine(import, name);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        return Task.CompletedTask;
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private string Folder(ImportBlob blob) => Path.Combine(_root, Safe(blob.TenantId), blob.ImportId.ToString("N"), blob.Name);

    /// <summary>Tenant ids are the product's own, but a path is built from them: nothing in one may leave the folder.</summary>
    private static string Safe(string tenantId) => Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(tenantId));
}
