using System.Globalization;

namespace Fraud.Core.Evaluation;

/// <summary>
/// How far the handbook protocol's figures can go on a file: the frauds that no label can reveal yet
/// are counted, and the figures are computed for a scorer that finds every other fraud.
/// </summary>
/// <remarks>
/// In the handbook's generator a compromised terminal is drawn at random and its transactions keep
/// their card's usual amounts and times: until the first label of that terminal's run of frauds
/// arrives, only what the terminal was before (its volume, say) can hint at them. A run starts at a
/// terminal's first fraud after a legitimate transaction (during a compromise every transaction there
/// is a fraud), so a fraud of another scenario just before a compromise also counts as a label of it,
/// which flatters the ceiling rather than lowering it. The exclusion of known compromised cards
/// (<see cref="KnownCompromised"/>) and the figures (<see cref="RankingFigures"/>) are the backtest's own.
/// </remarks>
internal static class HandbookCeiling
{
    private const int CompromisedTerminal = 2;

    /// <param name="rows">The whole file in time order, from before the training window on.</param>
    /// <param name="scores">A backtest's scores by transaction id, to set beside the ceiling; rows without one are left out.</param>
    public static HandbookCeilingReport Compute(
        IEnumerable<HandbookRow> rows,
        DateOnly trainFrom,
        DateOnly testFrom,
        DateOnly testTo,
        TimeSpan labelDelay,
        IReadOnlyDictionary<long, double>? scores = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var known = new KnownCompromised(new DateTimeOffset(trainFrom.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), labelDelay);
        var runStarts = new Dictionary<int, DateTimeOffset>();
        var days = new List<int>();
        var accounts = new List<int>();
        var given = new List<double>();
        var labels = new List<bool>();
        var hidden = new List<bool>();
        var withoutScore = 0;
        var previous = DateTimeOffset.MinValue;
        foreach (var row in rows)
        {
            if (row.Time < previous)
            {
                throw new ArgumentException($"Rows must be in time order: transaction {row.Id} at {row.Time:O} comes after {previous:O}.", nameof(rows));
            }

            previous = row.Time;
            var runStart = row.Time;
            if (!row.Fraud)
            {
                runStarts.Remove(row.Terminal);
            }
            else if (!runStarts.TryAdd(row.Terminal, row.Time))
            {
                runStart = runStarts[row.Terminal];
            }

            var account = row.Account.ToString(CultureInfo.InvariantCulture);
            var day = DateOnly.FromDateTime(row.Time.UtcDateTime);
            if (day >= testFrom && day <= testTo && !known.IsKnown(account, row.Time))
            {
                var score = 0.0;
                if (scores is not null && !scores.TryGetValue(row.Id, out score))
                {
                    withoutScore++;
                }
                else
                {
                    days.Add(day.DayNumber);
                    accounts.Add(row.Account);
                    given.Add(score);
                    labels.Add(row.Fraud);
                    hidden.Add(row.Fraud && row.Scenario == CompromisedTerminal && row.Time < runStart + labelDelay);
                }
            }

            known.Observe(account, row.Time, row.Fraud);
        }

        var (dayArray, accountArray, labelArray, givenArray) = (days.ToArray(), accounts.ToArray(), labels.ToArray(), given.ToArray());
        var findable = labelArray.Select((fraud, i) => fraud && !hidden[i]).ToArray();
        var top = givenArray.Length == 0 ? 1 : givenArray.Max() + 1;
        var rest = Enumerable.Range(0, findable.Length).Where(i => !findable[i]).ToArray();
        var withScores = scores is not null;
        return new HandbookCeilingReport(
            labelArray.Length,
            labelArray.Count(l => l),
            hidden.Count(h => h),
            withoutScore,
            RankingFigures.Of(dayArray, accountArray, [.. findable.Select(f => f ? 1.0 : 0.0)], labelArray),
            withScores ? RankingFigures.Of(dayArray, accountArray, givenArray, labelArray) : null,
            withScores ? Metrics.AucRoc([.. rest.Select(i => givenArray[i])], [.. rest.Select(i => labelArray[i])]) : null,
            withScores ? RankingFigures.Of(dayArray, accountArray, [.. givenArray.Select((g, i) => findable[i] ? top : g)], labelArray) : null);
    }
}
