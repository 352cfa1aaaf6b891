namespace Crm.Imports;

/// <summary>How a stream is cut into the chunks a store keeps: full chunks of <see cref="IImportFileStore.ChunkBytes"/>, the last one shorter.</summary>
internal static class ImportChunks
{
    public static async Task<long> SaveAsync(IImportFileStore store, ImportBlob blob, Stream content, CancellationToken cancellationToken)
    {
        var buffer = new byte[IImportFileStore.ChunkBytes];
        long total = 0;
        for (var chunk = 0; ; chunk++)
        {
            var filled = await content.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
            if (filled == 0 && chunk > 0)
            {
                return total;
            }

            await store.WriteChunkAsync(blob, chunk, buffer.AsMemory(0, filled), cancellationToken);
            total += filled;
            if (filled < buffer.Length)
            {
                return total;
            }
        }
    }
}
