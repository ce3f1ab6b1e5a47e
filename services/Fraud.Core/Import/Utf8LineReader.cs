namespace Fraud.Core.Import;

/// <summary>
/// Lines of a UTF-8 stream as byte spans into one reused buffer (for NDJSON), none longer than
/// <see cref="MaxLineBytes"/>: a file without line breaks must not make the buffer grow until the
/// process runs out of memory.
/// </summary>
internal sealed class Utf8LineReader(Stream stream)
{
    /// <summary>Far beyond any transaction; the same bound as a quoted CSV field.</summary>
    public const int MaxLineBytes = 16 * 1024 * 1024;

    private byte[] _buffer = new byte[1 << 16];
    private int _position;
    private int _length;
    private bool _eof;
    private bool _started;

    public long Line { get; private set; }

    public bool TryRead(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_position, _length - _position).IndexOf((byte)'\n');
            if (newline >= 0 || (_eof && _position < _length))
            {
                var count = newline >= 0 ? newline : _length - _position;
                line = _buffer.AsSpan(_position, count);
                _position += newline >= 0 ? count + 1 : count;
                Line++;
                if (!_started)
                {
                    _started = true;
                    if (line.StartsWith("\uFEFF"u8))
                    {
                        line = line[3..];
                    }
                }

                if (!line.IsEmpty && line[^1] == (byte)'\r')
                {
                    line = line[..^1];
                }

                return true;
            }

            if (_eof)
            {
                line = default;
                return false;
            }

            Refill();
        }
    }

    private void Refill()
    {
        var remaining = _length - _position;
        if (_position == 0 && remaining == _buffer.Length)
        {
            if (_buffer.Length >= MaxLineBytes)
            {
                throw new LineTooLongException(Line + 1);
            }

            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, MaxLineBytes));
        }
        else if (remaining > 0)
        {
            Array.Copy(_buffer, _position, _buffer, 0, remaining);
        }

        _position = 0;
        _length = remaining;
        var read = stream.Read(_buffer, _length, _buffer.Length - _length);
        _eof = read == 0;
        _length += read;
    }
}

/// <summary>A line longer than <see cref="Utf8LineReader.MaxLineBytes"/>.</summary>
internal sealed class LineTooLongException(long line) : Exception($"line {line} is longer than {Utf8LineReader.MaxLineBytes / (1024 * 1024)} MiB")
{
    public long Line { get; } = line;
}
