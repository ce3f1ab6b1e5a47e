using Fraud.Contracts;

namespace Fraud.Core.Import;

/// <summary>
/// The raw text of each canonical field of one row, copied into one reused buffer, with the
/// position it came from (for error messages). Reused across rows: no allocation per row.
/// </summary>
internal sealed class FieldValues
{
    private readonly int[] _start = new int[CanonicalFields.Count];
    private readonly int[] _length = new int[CanonicalFields.Count];
    private readonly int[] _position = new int[CanonicalFields.Count];
    private readonly string[] _source = new string[CanonicalFields.Count];
    private char[] _buffer = new char[512];
    private int _used;

    public void Clear()
    {
        Array.Fill(_length, -1);
        _used = 0;
    }

    public void Set(CanonicalField field, ReadOnlySpan<char> value, int position, string source)
    {
        if (_used + value.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _used + value.Length));
        }

        value.CopyTo(_buffer.AsSpan(_used));
        var f = (int)field;
        _start[f] = _used;
        _length[f] = value.Length;
        _position[f] = position;
        _source[f] = source;
        _used += value.Length;
    }

    /// <summary>True when the field is present and not blank.</summary>
    public bool Has(CanonicalField field) => _length[(int)field] > 0 && !Get(field).IsWhiteSpace();

    public ReadOnlySpan<char> Get(CanonicalField field)
    {
        var f = (int)field;
        return _length[f] < 0 ? default : _buffer.AsSpan(_start[f], _length[f]).Trim();
    }

    public int Position(CanonicalField field) => _position[(int)field];

    /// <summary>The name the field had in the file (column or JSON property).</summary>
    public string Source(CanonicalField field) => _length[(int)field] < 0 ? CanonicalFields.Name(field) : _source[(int)field];
}
