namespace Fraud.Core.Import;

/// <summary>
/// RFC 4180 records from a text stream: delimiters inside quotes, doubled quotes, quoted line
/// breaks (counted, so line numbers stay right). Works in one pooled char buffer that grows only
/// for a record longer than itself; fields are spans into it.
/// </summary>
internal sealed class CsvTokenizer(TextReader reader, char? delimiter)
{
    /// <summary>
    /// No real row comes near this; a quote left open would otherwise pull the rest of a file of any
    /// size into the buffer (past 2^30 characters the array cannot grow, and the process dies).
    /// </summary>
    internal const int MaxRecordChars = 1 << 24;

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
    private bool _nulSeen;
    private int _openQuoteAt = -1;
    private int _openQuoteField;

    /// <summary>Physical line on which the current record starts.</summary>
    public long Line { get; private set; }

    /// <summary>Physical line on which the record being read (or the next one) starts.</summary>
    public long NextLine => _nextLine;

    public int FieldCount => _fields.Count;

    public ReadOnlySpan<char> Field(int index)
    {
        var (start, length) = _fields[index];
        return _inScratch[index] ? _scratch.AsSpan(start, length) : _buffer.AsSpan(start, length);
    }

    public char Delimiter => _delimiter ??= DetectDelimiter();

    private char? _delimiter = delimiter;

    /// <summary>
    /// Reads the next non-blank record; false at the end of the stream. A <see cref="CsvFormatException"/>
    /// that is not <see cref="CsvFormatException.Fatal"/> has consumed its record: the next call reads on.
    /// </summary>
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
            var start = _position;
            _position += consumed;
            if (_fields.Count == 1 && _fields[0].Length == 0)
            {
                continue; // blank line
            }

            if (_nulSeen)
            {
                CheckNul(start, consumed);
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
            _openQuoteAt = -1;
            return false;
        }

        while (true)
        {
            if (i < end && _buffer[i] == '"')
            {
                // Quoted field: copy into scratch, undoubling quotes.
                var start = _scratchUsed;
                var quoteAt = i;
                i++;
                while (true)
                {
                    if (i >= end)
                    {
                        return _eof ? throw UnclosedQuote(quoteAt, _fields.Count + 1, "is never closed (the rest of the file would be one field)") : OpenQuote(quoteAt);
                    }

                    var c = _buffer[i];
                    if (c == '"')
                    {
                        if (i + 1 >= end && !_eof)
                        {
                            return OpenQuote(quoteAt);
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
                    _openQuoteAt = -1;
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
                    _openQuoteAt = -1;
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

    /// <summary>Notes the quote still open at the end of the buffer, in case the record outgrows <see cref="MaxRecordChars"/>.</summary>
    private bool OpenQuote(int quoteAt)
    {
        _openQuoteAt = quoteAt;
        _openQuoteField = _fields.Count + 1;
        return false;
    }

    /// <summary>The quote at <paramref name="quoteAt"/> (an index into the current record) located by physical line and character.</summary>
    private CsvFormatException UnclosedQuote(int quoteAt, int field, string problem)
    {
        var (line, character) = Locate(quoteAt);
        return new CsvFormatException(line, field, character, $"a quoted field opened at line {line}, character {character} {problem}", fatal: true);
    }

    /// <summary>Physical line and character (1-based) of a buffer index within the record that starts at <c>_position</c>.</summary>
    private (long Line, int Character) Locate(int index)
    {
        // Within a record, line breaks occur only inside quoted fields, where only \n is counted.
        var before = _buffer.AsSpan(_position, index - _position);
        return (_nextLine + before.Count('\n'), before.Length - before.LastIndexOf('\n'));
    }

    /// <summary>
    /// A NUL never belongs in a field: it is what UTF-16 or a binary file looks like read as UTF-8. Only
    /// records read after one was seen in the stream are searched, so clean files pay nothing per record.
    /// </summary>
    private void CheckNul(int start, int length)
    {
        var at = _buffer.AsSpan(start, length).IndexOf('\0');
        if (at < 0)
        {
            return;
        }

        var before = _buffer.AsSpan(start, at);
        var line = Line + before.Count('\n');
        var character = before.Length - before.LastIndexOf('\n');
        var field = 0;
        while (field < _fields.Count - 1 && !Field(field).Contains('\0'))
        {
            field++;
        }

        throw new CsvFormatException(line, field + 1, character,
            $"NUL byte at line {line}, character {character}: the file may be UTF-16 or binary; save it as UTF-8", fatal: false);
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
            if (_buffer.Length >= MaxRecordChars)
            {
                throw _openQuoteAt >= 0
                    ? UnclosedQuote(_openQuoteAt, _openQuoteField, $"is still open after {MaxRecordChars:N0} characters; its closing quote is missing")
                    : new CsvFormatException(_nextLine, 1, 1, $"no line break in {MaxRecordChars:N0} characters; this is not a CSV file of rows", fatal: true);
            }

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

        // One vectorised pass per buffer, so that records need searching only once a NUL has turned up.
        _nulSeen |= _buffer.AsSpan(_length, read).Contains('\0');
        _length += read;
    }
}

/// <summary>
/// A record the tokenizer refuses, located by physical line, field (1-based) and character in that line.
/// <see cref="Fatal"/> when nothing after it can be read as rows (a quote that never closes).
/// </summary>
internal sealed class CsvFormatException(long line, int field, int character, string problem, bool fatal) : FormatException(problem)
{
    public long Line { get; } = line;

    public int Field { get; } = field;

    public int Character { get; } = character;

    public bool Fatal { get; } = fatal;
}
