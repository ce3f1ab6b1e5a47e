using Fraud.Contracts;

namespace Fraud.Runtime.Ledger;

/// <summary>
/// How the ledgers keep <c>GET /stats</c> cheap: every write, review and purge adds its counts to
/// <c>ledger_stats</c> rows per minute and per hour of scoring time (by severity, status and model),
/// and a window sums whole hours from the hour rows and its ragged ends from the minute rows. A 24 h
/// window reads at most 24 + 120 buckets whatever the traffic; the window is widened to whole minutes.
/// </summary>
internal readonly record struct StatsWindow(
    DateTimeOffset From,
    DateTimeOffset To,
    DateTimeOffset HeadTo,
    DateTimeOffset HoursFrom,
    DateTimeOffset HoursTo,
    DateTimeOffset TailFrom)
{
    /// <summary>The span of a minute row and of an hour row, in minutes (the <c>span</c> column).</summary>
    public const int Minute = 1;

    public const int Hour = 60;

    /// <summary>The <c>status</c> of a transaction that is not an anomaly (the column is part of the key, so not NULL).</summary>
    public const int NotAnomaly = -1;

    /// <summary>The <c>ledger_stats</c> rows of a window, in both dialects; parameters from <see cref="Parameters"/>.</summary>
    public const string RowsFilter =
        "(span = 1 AND ((bucket >= @from AND bucket < @headTo) OR (bucket >= @tailFrom AND bucket < @to))) OR (span = 60 AND bucket >= @hoursFrom AND bucket < @hoursTo)";

    /// <summary>The bounds of <see cref="RowsFilter"/>, each in the dialect's form of a time.</summary>
    public object Parameters<T>(Func<DateTimeOffset, T> time) => new
    {
        from = time(From),
        headTo = time(HeadTo),
        hoursFrom = time(HoursFrom),
        hoursTo = time(HoursTo),
        tailFrom = time(TailFrom),
        to = time(To),
    };

    /// <summary>Minute rows cover [From, HeadTo) and [TailFrom, To); hour rows [HoursFrom, HoursTo).</summary>
    public static StatsWindow Of(DateTimeOffset from, DateTimeOffset to)
    {
        var start = Floor(from, TimeSpan.TicksPerMinute);
        var end = Ceiling(to, TimeSpan.TicksPerMinute);
        var hoursFrom = Ceiling(start, TimeSpan.TicksPerHour);
        var hoursTo = Floor(end, TimeSpan.TicksPerHour);
        return hoursFrom < hoursTo
            ? new StatsWindow(start, end, hoursFrom, hoursFrom, hoursTo, hoursTo)
            : new StatsWindow(start, end, end, end, end, end);
    }

    public static DateTimeOffset MinuteOf(DateTimeOffset at) => Floor(at, TimeSpan.TicksPerMinute);

    public static DateTimeOffset HourOf(DateTimeOffset at) => Floor(at, TimeSpan.TicksPerHour);

    /// <summary>The key column <c>status</c> of a scored transaction.</summary>
    public static int StatusOf(ScoredTransaction row) => row is Anomaly anomaly ? (int)anomaly.Status : NotAnomaly;

    private static DateTimeOffset Floor(DateTimeOffset at, long unit) => new(at.UtcTicks - (at.UtcTicks % unit), TimeSpan.Zero);

    private static DateTimeOffset Ceiling(DateTimeOffset at, long unit) => at.UtcTicks % unit == 0 ? at.ToUniversalTime() : Floor(at, unit).AddTicks(unit);
}
