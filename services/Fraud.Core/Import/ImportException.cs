namespace Fraud.Core.Import;

/// <summary>
/// A row (or the header) that cannot be read, located as <c>file:line:column</c>. For CSV the
/// column number is the field's position; for NDJSON it is the byte position in the line.
/// </summary>
public sealed class ImportException(string file, long line, string column, int columnNumber, string problem, bool isFileError = false)
    : Exception($"{Path.GetFileName(file)}:{line}:{columnNumber}: {(column.Length > 0 ? $"column '{column}': " : string.Empty)}{problem}")
{
    public string File { get; } = file;
    public long Line { get; } = line;
    public string Column { get; } = column;
    public int ColumnNumber { get; } = columnNumber;
    public string Problem { get; } = problem;

    /// <summary>
    /// The file cannot be read on from here (a truncated or corrupt archive, a quote that never closes):
    /// an error of the file, not of one row, which <see cref="ImportOptions.SkipBadRows"/> never skips.
    /// </summary>
    public bool IsFileError { get; } = isFileError;
}
