namespace Fraud.Core.Import;

/// <summary>
/// RFC 4180 records from a text stream: delimiters inside quotes, doubled quotes, quoted line
/// breaks (counted, so line numbers stay right). Works in one pooled char buffer that grows only
/// for a record longer than itself; fields are spans into it.
/// </summary>
internal sealed class CsvTokenizer(TextReader reader, char? delimiter)
{
    private static readonly char[] Candidates = [',', ';', '\t', '|'];

    private readonly List<(int Start, int Length)> _fields = new(32);
    private char[] _buffer = new char[1 << 16];
    private char[] _scratch = new char[256];
    private int _scratchUsed;
    private int _position;
    private int _length;
    private bool _eof;
    private long _nextLine = 1;
    private readonly List<bool> _inScratch = new(32);

    /// <summary>Physical line on which the current record starts.</summary>
    public long Line { get; private set; }

    public int FieldCount => _fields.Count;

    public ReadOnlySpan<char> Field(int index)
    {
        var (start, length) = _fields[index];
        return _inScratch[index] ? _scratch.AsSpan(start, length) : _buffer.AsSpan(start, length);
    }

    public char Delimiter => _delimiter ??= DetectDelimiter();

    private char? _delimiter = delimiter;

    /// <summary>Reads the next non-blank record; false at the end of the stream.</summary>
    public bool Read()
    {
        _ = Delimiter;
        while (true)
        {
            if (!TryParseRecord(out var consumed, out var newlines))
            {
                if (_eof)
                {
                    return false;
                }

                Refill();
                continue;
            }

            Line = _nextLine;
            _nextLine += newlines;
            _position += consumed;
            if (_fields.Count == 1 && _fields[0].Length == 0)
            {
                continue; // blank line
            }

            return true;
        }
    }

    /// <summary>Parses one record at the current position; false when the buffer ends first (and more may come).</summary>
    private bool TryParseRecord(out int consumed, out int newlines)
    {
        _fields.Clear();
        _inScratch.Clear();
        _scratchUsed = 0;
        consumed = 0;
        newlines = 0;
        var i = _position;
        var end = _length;
        var delimiter = _delimiter!.Value;
        if (i >= end)
        {
            return false;
        }

        while (true)
        {
            if (i < end && _buffer[i] == '"')
            {
                // Quoted field: copy into scratch, undoubling quotes.
                var start = _scratchUsed;
                i++;
                while (true)
                {
                    if (i >= end)
                    {
                        return _eof ? throw new FormatException($"a quoted field opened on line {_nextLine} is never closed") : false;
                    }

                    var c = _buffer[i];
                    if (c == '"')
                    {
                        if (i + 1 >= end && !_eof)
                        {
                            return false;
                        }

                        if (i + 1 < end && _buffer[i + 1] == '"')
                        {
                            AppendScratch('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    if (c == '\n')
                    {
                        newlines++;
                    }

                    AppendScratch(c);
                    i++;
                }

                // Anything between the closing quote and the delimiter is kept, as most readers do.
                while (i < end && _buffer[i] != delimiter && _buffer[i] != '\n' && _buffer[i] != '\r')
                {
                    AppendScratch(_buffer[i++]);
                }

                _fields.Add((start, _scratchUsed - start));
                _inScratch.Add(true);
            }
            else
            {
                var start = i;
                while (i < end && _buffer[i] != delimiter && _buffer[i] != '\n' && _buffer[i] != '\r')
                {
                    i++;
                }

                if (i >= end && !_eof)
                {
                    return false;
                }

                _fields.Add((start, i - start));
                _inScratch.Add(false);
            }

            if (i >= end)
            {
                // End of stream without a final line break.
                consumed = i - _position;
                newlines++;
                return true;
            }

            var separator = _buffer[i];
            if (separator == delimiter)
            {
                i++;
                continue;
            }

            // A line break ends the record: \n, \r\n or a lone \r.
            if (separator == '\r')
            {
                if (i + 1 >= end && !_eof)
                {
                    return false;
                }

                i += i + 1 < end && _buffer[i + 1] == '\n' ? 2 : 1;
            }
            else
            {
                i++;
            }

            newlines++;
            consumed = i - _position;
            return true;
        }
    }

    /// <summary>The most frequent of , ; tab | on the first line, outside quotes.</summary>
    private char DetectDelimiter()
    {
        while (!_eof && _buffer.AsSpan(_position, _length - _position).IndexOfAny('\r', '\n') < 0 && _length < (1 << 20))
        {
            Refill();
        }

        var line = _buffer.AsSpan(_position, _length - _position);
        var best = ',';
        var bestCount = 0;
        foreach (var candidate in Candidates)
        {
            var count = 0;
            var quoted = false;
            foreach (var c in line)
            {
                if (c == '"')
                {
                    quoted = !quoted;
                }
                else if (!quoted && (c == '\n' || c == '\r'))
                {
                    break;
                }
                else if (!quoted && c == candidate)
                {
                    count++;
                }
            }

            if (count > bestCount)
            {
                best = candidate;
                bestCount = count;
            }
        }

        return best;
    }

    private void AppendScratch(char c)
    {
        if (_scratchUsed == _scratch.Length)
        {
            Array.Resize(ref _scratch, _scratch.Length * 2);
        }

        _scratch[_scratchUsed++] = c;
    }

    private void Refill()
    {
        var remaining = _length - _position;
        if (_position == 0 && remaining == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        else if (remaining > 0)
        {
            Array.Copy(_buffer, _position, _buffer, 0, remaining);
        }

        _position = 0;
        _length = remaining;
        var read = reader.Read(_buffer, _length, _buffer.Length - _length);
        if (read == 0)
        {
            _eof = true;
        }

        _length += read;
    }
}
