using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Fraud.Contracts;

namespace Fraud.Core.Import;

/// <summary>
/// Streams transactions from a CSV or NDJSON file (optionally gzipped), never holding more than a
/// buffer of it. Rows come in file order; bad rows stop the read with an <see cref="ImportException"/>
/// naming file, line and column, or with <see cref="ImportOptions.SkipBadRows"/> are skipped and counted.
/// A damaged file (truncated or corrupt archive, unclosed quote) stops the read whatever the options.
/// </summary>
public sealed class TransactionFileReader : IDisposable
{
    private const int MaxSampleErrors = 10;

    /// <summary>
    /// GZipStream ends a truncated stream as if it were whole unless System.IO.Compression.UseStrictValidation
    /// is on (Directory.Build.props sets it for every app here). The runtime reads the switch once per
    /// process, so whether it took effect is found by trying, once, on an archive cut short.
    /// </summary>
    private static readonly Lazy<bool> GzipDetectsTruncation = new(TruncatedGzipThrows);

    private readonly FileStream _file;
    private readonly Stream _stream;
    private readonly ImportOptions _options;
    private readonly RowBuilder _builder;
    private readonly List<ImportException> _errors = [];
    private readonly string _name;
    private bool _json;
    private CsvTokenizer? _csv;
    private int[] _columnOf = [];
    private string[] _header = [];
    private bool _read;

    private TransactionFileReader(string path, ImportOptions options)
    {
        Path = path;
        _options = options;
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        _name = IsGzip ? path[..^3] : path;
        _stream = IsGzip ? new GZipStream(_file, CompressionMode.Decompress) : _file;
        _builder = new RowBuilder(path, options.RequireLabels);
    }

    public string Path { get; }

    public long RowsRead { get; private set; }

    public long BadRowsSkipped { get; private set; }

    /// <summary>The first few rows skipped with <see cref="ImportOptions.SkipBadRows"/>, and why.</summary>
    public IReadOnlyList<ImportException> SampleErrors => _errors;

    public bool HasLabels { get; private set; }

    public bool HasScenarios { get; private set; }

    public IReadOnlyCollection<string> MappedFields { get; private set; } = [];

    /// <summary>Bytes consumed from the file (compressed bytes for .gz), for progress.</summary>
    public long BytesRead => _file.Position;

    public long? Length => _file.CanSeek ? _file.Length : null;

    private bool IsGzip => Path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    public static TransactionFileReader Open(string path, ImportOptions options)
    {
        var reader = new TransactionFileReader(path, options);
        try
        {
            if (reader.IsGzip && !GzipDetectsTruncation.Value)
            {
                throw new ImportException(path, 1, string.Empty, 1,
                    "this process cannot tell a truncated .gz file from a whole one (System.IO.Compression.UseStrictValidation is off); decompress the file first",
                    isFileError: true);
            }

            reader._json = System.IO.Path.GetExtension(reader._name).ToLowerInvariant() switch
            {
                ".ndjson" or ".jsonl" or ".json" => true,
                ".csv" or ".tsv" or ".txt" => false,
                _ => reader.SniffJson(),
            };
            if (!reader._json)
            {
                reader.ReadHeader();
            }

            return reader;
        }
        catch (InvalidDataException e)
        {
            reader.Dispose();
            throw reader.Damaged(e, 1);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>The rows, lazily, in file order. Can be enumerated once.</summary>
    public IEnumerable<LabelledTransaction> Read()
    {
        if (_read)
        {
            throw new InvalidOperationException("The file has already been read.");
        }

        _read = true;
        return _json ? ReadJson() : ReadCsv();
    }

    public void Dispose()
    {
        _stream.Dispose();
        _file.Dispose();
    }

    private bool SniffJson()
    {
        var first = -1;
        using (var peek = new StreamReader(_stream, Encoding.UTF8, true, 1024, leaveOpen: true))
        {
            while ((first = peek.Read()) >= 0 && char.IsWhiteSpace((char)first))
            {
            }
        }

        if (!_stream.CanSeek)
        {
            throw new ImportException(Path, 1, string.Empty, 1, "cannot tell CSV from NDJSON; name the file .csv or .ndjson");
        }

        _stream.Position = 0;
        return first == '{';
    }

    private void ReadHeader()
    {
        var text = new StreamReader(_stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, 1 << 16);
        _csv = new CsvTokenizer(text, _options.Delimiter);
        bool any;
        try
        {
            any = _csv.Read();
        }
        catch (CsvFormatException e)
        {
            // Rows cannot be told apart without the header: whatever is wrong with it is wrong with the file.
            throw new ImportException(Path, e.Line, string.Empty, e.Field, e.Message, isFileError: true);
        }

        if (!any)
        {
            throw new ImportException(Path, 1, string.Empty, 1, "the file is empty; a header line is expected");
        }

        _header = new string[_csv.FieldCount];
        var first = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < _header.Length; i++)
        {
            _header[i] = _csv.Field(i).Trim().ToString();
            // Two columns of one name: which one a mapping means is a guess, so it is not made.
            if (_header[i].Length > 0 && !first.TryAdd(_header[i], i))
            {
                throw new ImportException(Path, 1, _header[i], i + 1,
                    $"the header names '{_header[i]}' twice (columns {first[_header[i]] + 1} and {i + 1}); rename one");
            }
        }

        _columnOf = _options.Map.Resolve(_header, Path);
        if (_options.RequireLabels && _columnOf[(int)CanonicalField.IsFraud] < 0)
        {
            throw new ImportException(Path, 1, string.Empty, 1,
                $"labels are required but no is_fraud column was found among {string.Join(", ", _header)}; map it with --map is_fraud=COLUMN");
        }

        HasLabels = _columnOf[(int)CanonicalField.IsFraud] >= 0;
        HasScenarios = _columnOf[(int)CanonicalField.FraudScenario] >= 0;
        var mapped = new List<string>();
        for (var f = 0; f < _columnOf.Length; f++)
        {
            if (_columnOf[f] >= 0)
            {
                mapped.Add(CanonicalFields.Name((CanonicalField)f));
            }
        }

        MappedFields = mapped;
    }

    private IEnumerable<LabelledTransaction> ReadCsv()
    {
        var csv = _csv!;
        var values = new FieldValues();
        while (true)
        {
            LabelledTransaction row;
            try
            {
                if (!csv.Read())
                {
                    yield break;
                }

                if (csv.FieldCount != _header.Length)
                {
                    throw new ImportException(Path, csv.Line, string.Empty, Math.Min(csv.FieldCount, _header.Length) + 1,
                        $"{csv.FieldCount} fields where the header has {_header.Length}");
                }

                values.Clear();
                for (var f = 0; f < _columnOf.Length; f++)
                {
                    var column = _columnOf[f];
                    if (column >= 0)
                    {
                        values.Set((CanonicalField)f, csv.Field(column), column + 1, _header[column]);
                    }
                }

                row = _builder.Build(values, csv.Line);
            }
            catch (CsvFormatException e)
            {
                var error = new ImportException(Path, e.Line, e.Field <= _header.Length ? _header[e.Field - 1] : string.Empty, e.Field, e.Message,
                    isFileError: e.Fatal);
                if (!_options.SkipBadRows || e.Fatal)
                {
                    throw error;
                }

                Skip(error);
                continue;
            }
            catch (InvalidDataException e)
            {
                throw Damaged(e, csv.NextLine);
            }
            catch (ImportException e) when (_options.SkipBadRows && !e.IsFileError)
            {
                Skip(e);
                continue;
            }

            RowsRead++;
            yield return row;
        }
    }

    private IEnumerable<LabelledTransaction> ReadJson()
    {
        var lines = new Utf8LineReader(_stream);
        var values = new FieldValues();
        var keys = new Dictionary<string, (CanonicalField Field, int Priority)?>(StringComparer.Ordinal);
        var priority = new int[CanonicalFields.Count];
        var mapped = new SortedSet<string>(StringComparer.Ordinal);
        MappedFields = mapped;
        while (NextLine(lines, out var bytes))
        {
            if (bytes.IsEmpty || IsBlank(bytes))
            {
                continue;
            }

            LabelledTransaction row;
            try
            {
                // Utf8JsonReader checks UTF-8 only in the strings it is asked to decode, and a NUL after
                // the object goes unread; one vectorised pass over the line finds both, mostly in nothing.
                if (bytes.IndexOfAnyExceptInRange((byte)1, (byte)0x7F) >= 0)
                {
                    CheckBytes(bytes, lines.Line);
                }

                values.Clear();
                Array.Fill(priority, int.MaxValue);
                ParseObject(bytes, lines.Line, values, keys, priority, mapped);
                row = _builder.Build(values, lines.Line);
            }
            catch (ImportException e) when (_options.SkipBadRows)
            {
                Skip(e);
                continue;
            }

            HasLabels |= row.IsFraud is not null;
            HasScenarios |= row.Scenario is not null;
            RowsRead++;
            yield return row;
        }
    }

    private bool NextLine(Utf8LineReader lines, out ReadOnlySpan<byte> line)
    {
        try
        {
            return lines.TryRead(out line);
        }
        catch (InvalidDataException e)
        {
            throw Damaged(e, lines.Line + 1);
        }
        catch (LineTooLongException e)
        {
            throw new ImportException(Path, e.Line, string.Empty, 1,
                $"line {e.Line} is longer than {Utf8LineReader.MaxLineBytes / (1024 * 1024)} MiB without a line break, far beyond any transaction: is the file NDJSON (one JSON object per line)?",
                isFileError: true);
        }
    }

    /// <summary>Refuses a line with a NUL or with bytes that are not UTF-8, at the first of them.</summary>
    private void CheckBytes(ReadOnlySpan<byte> line, long lineNumber)
    {
        var nul = line.IndexOf((byte)0);
        var invalid = Utf8.IsValid(line) ? -1 : FirstInvalidUtf8(line);
        if (nul >= 0 && (invalid < 0 || nul < invalid))
        {
            throw new ImportException(Path, lineNumber, string.Empty, nul + 1,
                $"NUL byte at line {lineNumber}, byte {nul + 1}: the file may be UTF-16 or binary; save it as UTF-8");
        }

        if (invalid >= 0)
        {
            throw new ImportException(Path, lineNumber, string.Empty, invalid + 1,
                $"invalid UTF-8 at line {lineNumber}, byte {invalid + 1} (0x{line[invalid]:X2}): the file may be Latin-1, Windows-1252 or UTF-16; save it as UTF-8");
        }
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> line)
    {
        var i = 0;
        while (i < line.Length && Rune.DecodeFromUtf8(line[i..], out _, out var length) == OperationStatus.Done)
        {
            i += length;
        }

        return i;
    }

    /// <summary>The archive breaks off or is corrupt where <paramref name="line"/> was being read: an error of the file.</summary>
    private ImportException Damaged(InvalidDataException e, long line) =>
        new(Path, line, string.Empty, 1,
            $"the gzip archive is truncated or corrupt ({e.Message.TrimEnd('.')}): reading stopped at line {line}; get a complete copy of the file",
            isFileError: true);

    private static bool TruncatedGzipThrows()
    {
        using var whole = new MemoryStream();
        using (var gzip = new GZipStream(whole, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write("a line cut short\n"u8);
        }

        using var cut = new GZipStream(new MemoryStream(whole.GetBuffer(), 0, (int)whole.Length - 4), CompressionMode.Decompress);
        Span<byte> buffer = stackalloc byte[64];
        try
        {
            while (cut.Read(buffer) > 0)
            {
            }

            return false;
        }
        catch (InvalidDataException)
        {
            return true;
        }
    }

    private void ParseObject(ReadOnlySpan<byte> line, long lineNumber, FieldValues values,
        Dictionary<string, (CanonicalField Field, int Priority)?> keys, int[] priority, SortedSet<string> mapped)
    {
        var reader = new Utf8JsonReader(line);
        Span<char> chars = stackalloc char[256];
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new ImportException(Path, lineNumber, string.Empty, 1, "each line must be one JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString()!;
                if (!keys.TryGetValue(key, out var target))
                {
                    keys[key] = target = _options.Map.FieldOfKey(key);
                }

                reader.Read();
                var position = (int)reader.TokenStartIndex + 1;
                if (target is not { } t || reader.TokenType is JsonTokenType.Null || t.Priority > priority[(int)t.Field])
                {
                    reader.Skip();
                    continue;
                }

                scoped ReadOnlySpan<char> text;
                switch (reader.TokenType)
                {
                    case JsonTokenType.String:
                        var length = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
                        var target8 = length <= chars.Length ? chars : new char[length];
                        text = target8[..reader.CopyString(target8)];
                        break;
                    case JsonTokenType.Number:
                        var raw = reader.ValueSpan;
                        var targetN = raw.Length <= chars.Length ? chars : new char[raw.Length];
                        text = targetN[..Encoding.UTF8.GetChars(raw, targetN)];
                        break;
                    case JsonTokenType.True:
                        text = "true";
                        break;
                    case JsonTokenType.False:
                        text = "false";
                        break;
                    default:
                        throw new ImportException(Path, lineNumber, key, position, $"expected a string or a number, found {reader.TokenType}");
                }

                values.Set(t.Field, text, position, key);
                priority[(int)t.Field] = t.Priority;
                mapped.Add(CanonicalFields.Name(t.Field));
            }
        }
        catch (JsonException e)
        {
            throw new ImportException(Path, lineNumber, string.Empty, (int)(e.BytePositionInLine ?? 0) + 1, $"invalid JSON: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // Well-formed JSON whose string cannot become text, such as an escaped lone surrogate ("\ud800").
            throw new ImportException(Path, lineNumber, string.Empty, (int)reader.TokenStartIndex + 1, $"invalid string: {e.Message}");
        }

        foreach (var (field, name) in _options.Map.Explicit)
        {
            if (priority[(int)field] != 0 && CanonicalFields.IsRequired(field))
            {
                throw new ImportException(Path, lineNumber, name, 1, $"--map {CanonicalFields.Name(field)}={name}: the property is missing");
            }
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
            {
                return false;
            }
        }

        return true;
    }

    private void Skip(ImportException e)
    {
        BadRowsSkipped++;
        if (_errors.Count < MaxSampleErrors)
        {
            _errors.Add(e);
        }
    }
}
