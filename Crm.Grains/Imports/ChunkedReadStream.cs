namespace Crm.Imports;

/// <summary>A read-only stream over numbered chunks, fetching the next one (the first numbered above the last) only when the previous is used up.</summary>
internal sealed class ChunkedReadStream(Func<int, CancellationToken, Task<(int Chunk, byte[] Data)?>> nextAfter) : Stream
{
    private byte[] _chunk = [];
    private int _offset;
    private int _last = -1;
    private bool _ended;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_offset == _chunk.Length)
        {
            if (_ended || await nextAfter(_last, cancellationToken) is not { } next)
            {
                _ended = true;
                return 0;
            }

            (_last, _chunk, _offset) = (next.Chunk, next.Data, 0);
        }

        var count = Math.Min(buffer.Length, _chunk.Length - _offset);
        _chunk.AsMemory(_offset, count).CopyTo(buffer);
        _offset += count;
        _position += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
