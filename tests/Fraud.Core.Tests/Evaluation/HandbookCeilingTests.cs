using Fraud.Core.Evaluation;

namespace Fraud.Core.Tests.Evaluation;

/// <summary>Which frauds no label can reveal yet, and the figures of a scorer that finds all the others.</summary>
public sealed class HandbookCeilingTests
{
    private const int Precision = 12;
    private static readonly DateOnly Day0 = new(2018, 1, 1);
    private static readonly TimeSpan Delay = TimeSpan.FromDays(2);

    // Label delay 2 days, training from day 0, test days 4 and 5. Scenario 2 is a compromised terminal.
    //   T1: legitimate on day 0, then frauds from day 1 10:00: its run's first label arrives day 3 10:00,
    //       so the day 4 fraud (id 8) can be known.
    //   T2: legitimate on day 3, frauds from day 4 11:00: the run's first label arrives day 6, after
    //       both test frauds (ids 9 and 13): unknowable.
    //   T3: a scenario 3 fraud on day 2, a legitimate transaction on day 3 ends that run, and the
    //       day 5 fraud (id 14) starts a new one: unknowable.
    //   T4: a scenario 3 fraud on day 3 12:00 and no legitimate transaction before the day 5 13:00
    //       fraud (id 15): the earlier label counts for its run (the ceiling is flattered, never lowered).
    //   Cards a2 (fraud day 1 10:00) and a4 (fraud day 2 11:00) are known compromised on days 4 and 5
    //   respectively, so ids 10 and 16 are left out. Id 20 is after the test window.
    // Counted: frauds 8, 9, 13, 14, 15 (three unknowable); legitimate 11, 12, 17, 18, 19, 21.
    private static readonly HandbookRow[] Rows =
    [
        Row(1, 0, 10, 1, 1, 0),
        Row(2, 1, 10, 2, 1, 2),
        Row(3, 2, 10, 3, 1, 2),
        Row(4, 2, 11, 4, 3, 3),
        Row(5, 3, 9, 5, 2, 0),
        Row(6, 3, 10, 6, 3, 0),
        Row(7, 3, 12, 7, 4, 3),
        Row(8, 4, 10, 8, 1, 2),
        Row(9, 4, 11, 9, 2, 2),
        Row(10, 4, 12, 2, 5, 0),
        Row(11, 4, 13, 10, 6, 0),
        Row(12, 4, 14, 11, 6, 0),
        Row(13, 5, 10, 12, 2, 2),
        Row(14, 5, 11, 13, 3, 2),
        Row(15, 5, 13, 14, 4, 2),
        Row(16, 5, 14, 4, 6, 0),
        Row(17, 5, 15, 15, 7, 0),
        Row(18, 5, 16, 16, 7, 0),
        Row(19, 5, 17, 17, 8, 0),
        Row(20, 6, 10, 18, 1, 2),
        Row(21, 5, 18, 19, 9, 0),
    ];

    [Fact]
    public void Frauds_at_a_terminal_before_its_runs_first_label_arrives_are_unknowable_and_ranked_with_the_legitimate()
    {
        var report = HandbookCeiling.Compute(InTimeOrder(), Day0, Day0.AddDays(4), Day0.AddDays(5), Delay);

        Assert.Equal(11, report.CountedRows);
        Assert.Equal(5, report.CountedFrauds);
        Assert.Equal(3, report.UnknowableFrauds);
        Assert.Equal(0, report.RowsWithoutScore);
        // Two frauds at 1, three tied at 0 with six legitimate: AUC (2·6 + 3·6·½) / (5·6) = 0.7;
        // AP (2·1 + 3·5/11) / 5 = 37/55; every card fits in the top 100: (2 + 3) frauds / 100 a day.
        Assert.Equal(0.7, report.Ceiling.AucRoc, Precision);
        Assert.Equal(37.0 / 55, report.Ceiling.AveragePrecision, Precision);
        Assert.Equal(0.025, report.Ceiling.CardPrecisionAt100, Precision);
        Assert.Null(report.Engine);
        Assert.Null(report.EngineAucOnUnknowable);
    }

    [Fact]
    public void Given_scores_are_measured_on_the_same_rows_and_with_every_knowable_fraud_moved_to_the_top()
    {
        var scores = new Dictionary<long, double>
        {
            [8] = 0.9, [15] = 0.25,               // knowable
            [9] = 0.35, [13] = 0.45, [14] = 0.05, // unknowable
            [11] = 0.1, [12] = 0.2, [17] = 0.3, [18] = 0.4, [19] = 0.5,
            [10] = 0.99, [16] = 0.99,             // known compromised cards: left out whatever their score
        };

        var report = HandbookCeiling.Compute(InTimeOrder(), Day0, Day0.AddDays(4), Day0.AddDays(5), Delay, scores);

        // Id 21 has no score: left out, as the backtest leaves out the rows it skipped.
        Assert.Equal(1, report.RowsWithoutScore);
        Assert.Equal(10, report.CountedRows);
        Assert.Equal(0.7, report.Ceiling.AucRoc, Precision);
        // Frauds beat 5 (0.9), 2 (0.25), 3 (0.35), 4 (0.45) and 0 (0.05) of the five legitimate.
        Assert.Equal(14.0 / 25, report.Engine!.AucRoc, Precision);
        Assert.Equal(17.0 / 25, report.CeilingKeepingEngineOrder!.AucRoc, Precision);
        Assert.Equal(7.0 / 15, report.EngineAucOnUnknowable!.Value, Precision);
    }

    [Fact]
    public void Rows_out_of_time_order_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            HandbookCeiling.Compute([Rows[1], Rows[0]], Day0, Day0.AddDays(4), Day0.AddDays(5), Delay));
        Assert.Contains("transaction 1", error.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<HandbookRow> InTimeOrder() => Rows.OrderBy(r => r.Time);

    private static HandbookRow Row(long id, int day, int hour, int account, int terminal, int scenario) =>
        new(id, new DateTimeOffset(Day0.AddDays(day).ToDateTime(new TimeOnly(hour, 0)), TimeSpan.Zero), account, terminal, scenario > 0, scenario);
}
