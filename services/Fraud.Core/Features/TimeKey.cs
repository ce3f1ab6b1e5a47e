namespace Fraud.Core.Features;

/// <summary>
/// Profiles store time as whole seconds since 2000-01-01 UTC in an <see cref="int"/>: half the size
/// of a <see cref="DateTimeOffset"/>, and second resolution is all the windows need (range 1932–2068).
/// </summary>
public static class TimeKey
{
    public const int SecondsPerHour = 3600;
    public const int SecondsPerDay = 86_400;
    private static readonly long EpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

    public static int Seconds(DateTimeOffset time) => checked((int)((time.UtcTicks - EpochTicks) / TimeSpan.TicksPerSecond));

    public static DateTimeOffset ToTime(int seconds) => new(EpochTicks + seconds * TimeSpan.TicksPerSecond, TimeSpan.Zero);

    /// <summary>UTC day index, the unit of the merchant label rings and of per-day metrics.</summary>
    public static int Day(int seconds) => (int)Math.Floor(seconds / (double)SecondsPerDay);
}
