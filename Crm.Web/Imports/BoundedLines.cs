using System.Text;

namespace Crm.Web.Imports;

/// <summary>Lines of a text, each kept up to a limit: a line without end (a file with no line breaks) is read past, never held.</summary>
internal sealed class BoundedLines(TextReader text, int maxLength)
{
    private readonly char[] _buffer = new char[64 * 1024];
    private int _offset;
    private int _length;

    /// <summary>Reads up to the next line break into <paramref name="line"/>, without it.</summary>
    /// <returns>Whether more input follows, and whether the line was longer than the limit (only its start is in <paramref name="line"/>).</returns>
    public async Task<(bool More, bool TooLong)> ReadAsync(StringBuilder line, CancellationToken cancellationToken)
    {
        line.Clear();
        var tooLong = false;
        while (true)
        {
            if (_offset == _length)
            {
                (_offset, _length) = (0, await text.ReadAsync(_buffer, cancellationToken));
                if (_length == 0)
                {
                    return (false, tooLong);
                }
            }

            var rest = _buffer.AsSpan(_offset, _length - _offset);
            var end = rest.IndexOf('\n');
            var piece = end < 0 ? rest : rest[..end];
            if (!tooLong)
            {
                var room = maxLength - line.Length;
                tooLong = piece.TrimEnd('\r').Length > room;
                line.Append(piece[..Math.Min(piece.Length, room)]);
            }

            if (end >= 0)
            {
                _offset += end + 1;
                if (line.Length > 0 && line[^1] == '\r')
                {
                    line.Length--;
                }

                return (true, tooLong);
            }

            _offset = _length;
        }
    }
}
