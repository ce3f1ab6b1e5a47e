namespace Fraud.Runtime.Observability;

/// <summary>
/// Lets one kind of repeated failure through to the log at most once per interval. During an
/// outage every commit, delivery and publish fails (a 10 s database outage once wrote 6,117 error
/// entries, 18 MB); one entry per interval with the count of the others says the same. The
/// failures are still counted in full by the metrics.
/// </summary>
public sealed class ThrottledLog(TimeSpan interval)
{
    private readonly Lock _lock = new();
    private readonly long _intervalMs = (long)interval.TotalMilliseconds;
    private long _lastLoggedAt = long.MinValue;
    private int _suppressed;

    /// <summary>True when this failure is to be logged; <paramref name="suppressed"/> is how many were not since the last one that was.</summary>
    public bool ShouldLog(out int suppressed)
    {
        var now = Environment.TickCount64;
        lock (_lock)
        {
            if (_lastLoggedAt != long.MinValue && now - _lastLoggedAt < _intervalMs)
            {
                _suppressed++;
                suppressed = 0;
                return false;
            }

            suppressed = _suppressed;
            _suppressed = 0;
            _lastLoggedAt = now;
            return true;
        }
    }
}
