using Crm.Imports;
using Crm.Tests.Infrastructure;

namespace Crm.Tests.Imports;

/// <summary>What every <see cref="IImportFileStore"/> does; run against each implementation.</summary>
public abstract class ImportFileStoreContract
{
    protected abstract IImportFileStore Files { get; }

    [Fact]
    public async Task A_file_of_several_chunks_reads_back_byte_for_byte_within_its_tenant_and_import_only()
    {
        var blob = new ImportBlob(TestTenants.New(), Guid.NewGuid(), ImportBlob.Source);
        var content = new byte[(IImportFileStore.ChunkBytes * 2) + 12345];
        Random.Shared.NextBytes(content);

        var stored = await Files.SaveAsync(blob, new MemoryStream(content));

        Assert.Equal(content.Length, stored);
        Assert.Equal(content, await ReadAsync(blob));
        Assert.Empty(await ReadAsync(blob with { TenantId = TestTenants.New() }));
        Assert.Empty(await ReadAsync(blob with { ImportId = Guid.NewGuid() }));
        Assert.Empty(await ReadAsync(blob with { Name = ImportBlob.Rejected }));
    }

    [Fact]
    public async Task Chunks_read_in_their_order_and_one_written_again_replaces_the_first()
    {
        var blob = new ImportBlob(TestTenants.New(), Guid.NewGuid(), ImportBlob.Rejected);

        await Files.WriteChunkAsync(blob, 7, "seven\n"u8.ToArray());
        await Files.WriteChunkAsync(blob, 2, "two?\n"u8.ToArray());
        await Files.WriteChunkAsync(blob, 2, "two\n"u8.ToArray());
        await Files.WriteChunkAsync(blob, 10, "ten\n"u8.ToArray());

        Assert.Equal("two\nseven\nten\n", System.Text.Encoding.UTF8.GetString(await ReadAsync(blob)));
    }

    [Fact]
    public async Task An_empty_file_is_stored_as_empty_and_deleting_forgets_one_file_of_an_import_or_all_of_them()
    {
        var (tenant, import) = (TestTenants.New(), Guid.NewGuid());
        var source = new ImportBlob(tenant, import, ImportBlob.Source);
        var rejected = source with { Name = ImportBlob.Rejected };
        var other = source with { ImportId = Guid.NewGuid() };
        Assert.Equal(0, await Files.SaveAsync(source, new MemoryStream()));
        await Files.WriteChunkAsync(rejected, 0, "x"u8.ToArray());
        await Files.SaveAsync(other, new MemoryStream("kept"u8.ToArray()));

        await Files.DeleteAsync(tenant, import, ImportBlob.Source);
        Assert.Empty(await ReadAsync(source));
        Assert.Equal("x"u8.ToArray(), await ReadAsync(rejected));

        await Files.DeleteAsync(tenant, import);

        Assert.Empty(await ReadAsync(source));
        Assert.Empty(await ReadAsync(rejected));
        Assert.Equal("kept"u8.ToArray(), await ReadAsync(other));
    }

    private async Task<byte[]> ReadAsync(ImportBlob blob)
    {
        await using var stream = Files.OpenRead(blob);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}

public sealed class FileSystemImportFileStoreTests : ImportFileStoreContract, IDisposable
{
    private readonly FileSystemImportFileStore _files = new();

    protected override IImportFileStore Files => _files;

    public void Dispose() => _files.Dispose();
}

public sealed class PostgresImportFileStoreTests(MigratedDatabaseFixture database) : ImportFileStoreContract, IClassFixture<MigratedDatabaseFixture>
{
    protected override IImportFileStore Files { get; } = new PostgresImportFileStore(database.DataSource);
}
