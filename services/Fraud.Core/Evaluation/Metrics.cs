namespace Fraud.Core.Evaluation;

/// <summary>
/// Ranking metrics with scikit-learn's semantics, so backtest figures compare with published ones:
/// every distinct score is one threshold (tied scores enter together) and nothing is interpolated.
/// One sort per call, O(n log n); a metric that is undefined for the data (a class is absent) is NaN.
/// </summary>
public static class Metrics
{
    /// <summary>
    /// ROC AUC as <c>roc_auc_score</c>: the probability that a random positive outscores a random
    /// negative, a tie counting one half (the Mann–Whitney U with average ranks). NaN when only one
    /// class is present.
    /// </summary>
    public static double AucRoc(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        var ranked = RankedScores.Descending(scores, labels);
        if (ranked.Positives == 0 || ranked.Negatives == 0)
        {
            return double.NaN;
        }

        // Twice the area in units of (positive, negative) pairs, so the sum stays an exact integer:
        // each negative is beaten by every positive of a higher threshold and ties half of its own.
        // Bounded by 2·P·N ≤ n²/2, which fits a long for any array length.
        long twiceOrderedPairs = 0;
        long truePositives = 0;
        while (ranked.TryNextGroup(out var group))
        {
            twiceOrderedPairs += group.Negatives * ((2 * truePositives) + group.Positives);
            truePositives += group.Positives;
        }

        return twiceOrderedPairs / (2.0 * ranked.Positives * ranked.Negatives);
    }

    /// <summary>
    /// Average precision as <c>average_precision_score</c>: Σₙ (Rₙ − Rₙ₋₁)·Pₙ over the distinct
    /// thresholds from the highest score down, without interpolation. NaN without positives.
    /// </summary>
    public static double AveragePrecision(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        var ranked = RankedScores.Descending(scores, labels);
        if (ranked.Positives == 0)
        {
            return double.NaN;
        }

        // Rₙ − Rₙ₋₁ is the group's positives over P; P is factored out of the sum.
        double sum = 0;
        long truePositives = 0;
        long flagged = 0;
        while (ranked.TryNextGroup(out var group))
        {
            truePositives += group.Positives;
            flagged += group.Positives + group.Negatives;
            if (group.Positives > 0)
            {
                sum += group.Positives * (truePositives / (double)flagged);
            }
        }

        return sum / ranked.Positives;
    }

    /// <summary>
    /// The highest recall among the thresholds whose false-positive rate is at most
    /// <paramref name="maxFpr"/> (0 when even the top score's group exceeds it). NaN when only one
    /// class is present.
    /// </summary>
    public static double RecallAtFpr(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels, double maxFpr)
    {
        if (!(maxFpr >= 0 && maxFpr <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(maxFpr), maxFpr, "The false-positive rate must lie in [0, 1].");
        }

        var ranked = RankedScores.Descending(scores, labels);
        if (ranked.Positives == 0 || ranked.Negatives == 0)
        {
            return double.NaN;
        }

        // Both rates only grow as the threshold falls, so the last admissible group holds the best
        // recall. The rate is compared as a quotient, as sklearn's roc_curve computes it.
        long truePositives = 0;
        long falsePositives = 0;
        while (ranked.TryNextGroup(out var group))
        {
            if ((falsePositives + group.Negatives) / (double)ranked.Negatives > maxFpr)
            {
                break;
            }

            truePositives += group.Positives;
            falsePositives += group.Negatives;
        }

        return truePositives / (double)ranked.Positives;
    }

    /// <summary>Share of the positives scored at or above <paramref name="threshold"/>; NaN without positives.</summary>
    public static double RecallAtThreshold(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels, double threshold)
    {
        var (positives, flaggedPositives, _) = CountAtThreshold(scores, labels, threshold);
        return positives == 0 ? double.NaN : flaggedPositives / (double)positives;
    }

    /// <summary>
    /// Share of the transactions scored at or above <paramref name="threshold"/> that are positive;
    /// NaN when none is (sklearn's <c>zero_division=np.nan</c>).
    /// </summary>
    public static double PrecisionAtThreshold(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels, double threshold)
    {
        var (_, flaggedPositives, flagged) = CountAtThreshold(scores, labels, threshold);
        return flagged == 0 ? double.NaN : flaggedPositives / (double)flagged;
    }

    private static (long Positives, long FlaggedPositives, long Flagged) CountAtThreshold(
        ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels, double threshold)
    {
        RankedScores.Validate(scores, labels);
        long positives = 0, flaggedPositives = 0, flagged = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var hit = scores[i] >= threshold;
            positives += labels[i] ? 1 : 0;
            flagged += hit ? 1 : 0;
            flaggedPositives += hit && labels[i] ? 1 : 0;
        }

        return (positives, flaggedPositives, flagged);
    }
}
