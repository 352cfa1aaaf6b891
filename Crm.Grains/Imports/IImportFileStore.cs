namespace Crm.Imports;

/// <summary>A file an import keeps: the upload itself ("source"), the rows it rejected while reading ("rejected") or applying ("refused").</summary>
public readonly record struct ImportBlob(string TenantId, Guid ImportId, string Name)
{
    public const string Source = "source";
    public const string Rejected = "rejected";
    /// <summary>Rows refused while applying: <see cref="RefusedRows"/>.</summary>
    public const string Refused = "refused";
}

/// <summary>
/// Where imports keep their files, in numbered chunks, so that a file of any size is written and read a chunk at a
/// time and a job taken over by another node reads the same file.
/// </summary>
public interface IImportFileStore
{
    public const int ChunkBytes = 1 << 20;

    /// <summary>Stores a whole stream as the blob's chunks 0, 1, ….</summary>
    /// <returns>The bytes stored.</returns>
    Task<long> SaveAsync(ImportBlob blob, Stream content, CancellationToken cancellationToken = default);

    /// <summary>Stores one chunk, in place of any chunk stored under its number before.</summary>
    Task WriteChunkAsync(ImportBlob blob, int chunk, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>The blob's chunks in order, as one stream read a chunk at a time.</summary>
    Stream OpenRead(ImportBlob blob);

    /// <summary>Forgets the import's file of that name, or with none every file of the import.</summary>
    Task DeleteAsync(string tenantId, Guid importId, string? name = null, CancellationToken cancellationToken = default);
}
