using Fraud.Core.Evaluation;

namespace Fraud.Core.Tests.Evaluation;

/// <summary>
/// The fast metrics against direct, quadratic transcriptions of their definitions on random data
/// with many ties (scores rounded to one decimal), where a tie-handling slip would show.
/// </summary>
public sealed class MetricsReferenceTests
{
    public static TheoryData<int> Seeds => [1, 2, 3, 42, 2026];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void AucMatchesPairCounting(int seed)
    {
        var (scores, labels) = Sample(seed, 300);

        Assert.Equal(PairwiseAuc(scores, labels), Metrics.AucRoc(scores, labels), 12);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void AveragePrecisionMatchesTheThresholdSum(int seed)
    {
        var (scores, labels) = Sample(seed, 300);

        Assert.Equal(ThresholdSumAveragePrecision(scores, labels), Metrics.AveragePrecision(scores, labels), 12);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RecallAtFprMatchesTheBestAdmissibleThreshold(int seed)
    {
        var (scores, labels) = Sample(seed, 300);

        foreach (var maxFpr in new[] { 0.0, 0.01, 0.1, 0.25, 0.5 })
        {
            Assert.Equal(BruteForceRecallAtFpr(scores, labels, maxFpr), Metrics.RecallAtFpr(scores, labels, maxFpr), 12);
        }
    }

    private static (double[] Scores, bool[] Labels) Sample(int seed, int n)
    {
        var random = new Random(seed);
        var scores = new double[n];
        var labels = new bool[n];
        for (var i = 0; i < n; i++)
        {
            labels[i] = random.NextDouble() < 0.3;
            // Positives lean higher so the metrics are away from 0.5; rounding makes ties common.
            var raw = random.NextDouble() + (labels[i] ? 0.3 : 0);
            scores[i] = Math.Round(Math.Min(raw, 1), 1);
        }

        return (scores, labels);
    }

    private static double PairwiseAuc(double[] scores, bool[] labels)
    {
        double wins = 0;
        long pairs = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            for (var j = 0; j < scores.Length; j++)
            {
                if (labels[i] && !labels[j])
                {
                    pairs++;
                    wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }
            }
        }

        return wins / pairs;
    }

    private static double[] ThresholdsDescending(double[] scores)
    {
        var thresholds = scores.Distinct().ToArray();
        Array.Sort(thresholds);
        Array.Reverse(thresholds);
        return thresholds;
    }

    private static (int Tp, int Fp) Flagged(double[] scores, bool[] labels, double threshold)
    {
        int tp = 0, fp = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (scores[i] >= threshold)
            {
                tp += labels[i] ? 1 : 0;
                fp += labels[i] ? 0 : 1;
            }
        }

        return (tp, fp);
    }

    private static double ThresholdSumAveragePrecision(double[] scores, bool[] labels)
    {
        var positives = labels.Count(l => l);
        double ap = 0, previousRecall = 0;
        foreach (var t in ThresholdsDescending(scores))
        {
            var (tp, fp) = Flagged(scores, labels, t);
            var recall = tp / (double)positives;
            ap += (recall - previousRecall) * (tp / (double)(tp + fp));
            previousRecall = recall;
        }

        return ap;
    }

    private static double BruteForceRecallAtFpr(double[] scores, bool[] labels, double maxFpr)
    {
        var positives = labels.Count(l => l);
        var negatives = labels.Length - positives;
        double best = 0;
        foreach (var t in ThresholdsDescending(scores))
        {
            var (tp, fp) = Flagged(scores, labels, t);
            if (fp / (double)negatives <= maxFpr)
            {
                best = Math.Max(best, tp / (double)positives);
            }
        }

        return best;
    }
}
