namespace Fraud.Runtime.Tests.Anomalies;

/// <summary>
/// A clock that moves only when told. Both the wall clock and the monotonic timestamp advance, since
/// code may measure durations with either. Thread-safe, so concurrent tests can advance it.
/// </summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long _elapsedTicks;

    public ManualTimeProvider()
        : this(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => start + TimeSpan.FromTicks(Interlocked.Read(ref _elapsedTicks));

    public override long GetTimestamp() => Interlocked.Read(ref _elapsedTicks);

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _elapsedTicks, by.Ticks);
    }
}
