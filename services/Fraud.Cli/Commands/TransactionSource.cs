using System.Globalization;
using Fraud.Contracts;
using Fraud.Core.Import;

namespace Fraud.Cli.Commands;

/// <summary>
/// A transaction file opened for a command: streamed, put in time order within the reorder
/// window, with progress shown as it is read. Import errors surface as <see cref="ImportException"/>.
/// </summary>
internal sealed class TransactionSource : IDisposable
{
    private readonly TransactionFileReader _reader;
    private readonly TimeSpan _window;
    private readonly Progress _progress;
    private TimeOrderedReader? _ordered;

    public TransactionSource(string path, ImportOptions options, TimeSpan window, CommandContext context)
    {
        _window = window;
        _reader = TransactionFileReader.Open(path, options);
        _progress = new Progress(context.Error, context.Interactive);
    }

    public TransactionFileReader Reader => _reader;

    /// <summary>The progress line of this command, for its steps other than reading (training).</summary>
    public Progress Progress => _progress;

    public long LateRows => _ordered?.LateRows ?? 0;

    public IEnumerable<LabelledTransaction> Rows()
    {
        _ordered = new TimeOrderedReader(_reader.Read(), _window);
        long count = 0;
        foreach (var row in _ordered)
        {
            if ((++count & 0xFFFF) == 0)
            {
                var percent = _reader.Length is > 0 and var length ? $"{_reader.BytesRead * 100.0 / length,5:0.0}%  " : string.Empty;
                _progress.Report(count, percent + row.Transaction.Timestamp.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }

            yield return row;
        }

        _progress.Done();
    }

    /// <summary>What <c>--skip-bad-rows</c> skipped: how many, and where and why for the first of them.</summary>
    public void WriteSkipped(TextWriter output, string indent = "")
    {
        var skipped = _reader.BadRowsSkipped;
        if (skipped == 0)
        {
            return;
        }

        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"{indent}skipped {skipped:N0} bad {(skipped == 1 ? "row" : "rows")}:"));
        foreach (var error in _reader.SampleErrors)
        {
            output.WriteLine($"{indent}  {error.Message}");
        }

        if (skipped > _reader.SampleErrors.Count)
        {
            output.WriteLine(string.Create(c, $"{indent}  and {skipped - _reader.SampleErrors.Count:N0} more"));
        }
    }

    public void Dispose() => _reader.Dispose();
}
