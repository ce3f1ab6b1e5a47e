using System.Diagnostics;
using System.Globalization;

namespace Fraud.Cli.Commands;

/// <summary>
/// A one-line progress display on stderr, redrawn at most four times a second, only when a person
/// is watching (stderr is a terminal); redirected output stays clean.
/// </summary>
internal sealed class Progress(TextWriter error, bool enabled)
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _lastDraw;
    private bool _drawn;

    public void Report(long rows, string detail)
    {
        if (!enabled)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        if (_drawn && Stopwatch.GetElapsedTime(_lastDraw, now).TotalMilliseconds < 250)
        {
            return;
        }

        _lastDraw = now;
        _drawn = true;
        var seconds = Math.Max(Stopwatch.GetElapsedTime(_started, now).TotalSeconds, 1e-3);
        var line = string.Create(CultureInfo.InvariantCulture, $"  {rows,12:N0} rows  {rows / seconds,10:N0}/s  {detail}");
        error.Write("\r" + line.PadRight(78));
        error.Flush();
    }

    /// <summary>A step without rows to count (training): shown until the next report or <see cref="Done"/>.</summary>
    public void Step(string text)
    {
        if (!enabled)
        {
            return;
        }

        _lastDraw = Stopwatch.GetTimestamp();
        _drawn = true;
        error.Write("\r" + ("  " + text).PadRight(78));
        error.Flush();
    }

    public void Done()
    {
        if (enabled && _drawn)
        {
            error.Write("\r" + new string(' ', 80) + "\r");
            error.Flush();
        }
    }
}
