using Fraud.Core.Evaluation;

namespace Fraud.Core.Tests.Evaluation;

public sealed class MetricsTests
{
    private const int Precision = 12;

    // Scores 0.1, 0.4, 0.35, 0.8 with labels −, −, +, +.
    private static readonly double[] Scores = [0.1, 0.4, 0.35, 0.8];
    private static readonly bool[] Labels = [false, false, true, true];

    [Fact]
    public void AucCountsCorrectlyOrderedPairs()
    {
        // Pairs (positive, negative): (0.35, 0.1) ✓, (0.35, 0.4) ✗, (0.8, 0.1) ✓, (0.8, 0.4) ✓ → 3/4.
        Assert.Equal(0.75, Metrics.AucRoc(Scores, Labels), Precision);
    }

    [Fact]
    public void AveragePrecisionSumsPrecisionAtEachRecallStep()
    {
        // Descending: 0.8 (+) P = 1/1, R = 1/2; 0.4 (−) R unchanged; 0.35 (+) P = 2/3, R = 1; 0.1 (−).
        // AP = (1/2 − 0)·1 + (1 − 1/2)·2/3 = 0.5 + 0.3333… = 0.8333…
        Assert.Equal(0.5 + (0.5 * 2 / 3.0), Metrics.AveragePrecision(Scores, Labels), Precision);
    }

    [Fact]
    public void AllScoresTiedGiveHalfAucAndThePrevalenceAsAveragePrecision()
    {
        double[] tied = [0.5, 0.5, 0.5, 0.5];
        bool[] oneInFour = [false, true, false, false];

        // Every (positive, negative) pair is a tie worth ½ → AUC = 3·½ / 3 = 0.5.
        Assert.Equal(0.5, Metrics.AucRoc(tied, oneInFour), Precision);
        // One threshold: R 0 → 1 at P = 1/4 → AP = 1/4, the prevalence.
        Assert.Equal(0.25, Metrics.AveragePrecision(tied, oneInFour), Precision);
    }

    [Fact]
    public void TiedBlockEntersAsOneThresholdNotInAnyTieBreakingOrder()
    {
        double[] tied = [0.5, 0.5, 0.5];
        bool[] labels = [true, true, false];

        // Together: R 0 → 1 at P = 2/3 → AP = 2/3.
        // (Positives first would give 1; the negative first would give ½·½ + ½·⅔ = 0.5833.)
        Assert.Equal(2 / 3.0, Metrics.AveragePrecision(tied, labels), Precision);
    }

    [Fact]
    public void TieBetweenAPositiveAndANegativeCountsHalfAPair()
    {
        double[] scores = [0.9, 0.5, 0.5, 0.1];
        bool[] labels = [true, false, true, false];

        // Pairs: (0.9, 0.5) 1, (0.9, 0.1) 1, (0.5, 0.5) ½, (0.5, 0.1) 1 → 3.5/4 = 0.875.
        Assert.Equal(0.875, Metrics.AucRoc(scores, labels), Precision);
        // Thresholds: 0.9 → TP 1, FP 0, P = 1, R = ½; 0.5 → TP 2, FP 1, P = ⅔, R = 1.
        // AP = ½·1 + ½·⅔ = 0.8333…
        Assert.Equal(0.5 + (0.5 * 2 / 3.0), Metrics.AveragePrecision(scores, labels), Precision);
    }

    [Fact]
    public void PerfectRankingScoresOne()
    {
        double[] scores = [0.9, 0.8, 0.2, 0.1];
        bool[] labels = [true, true, false, false];

        // Both positives beat both negatives → AUC 4/4; precision is 1 at both recall steps → AP 1.
        Assert.Equal(1.0, Metrics.AucRoc(scores, labels), Precision);
        Assert.Equal(1.0, Metrics.AveragePrecision(scores, labels), Precision);
    }

    [Fact]
    public void InverseRankingScoresZeroAuc()
    {
        double[] scores = [0.1, 0.2, 0.8, 0.9];
        bool[] labels = [true, true, false, false];

        // No positive beats a negative → AUC 0/4.
        Assert.Equal(0.0, Metrics.AucRoc(scores, labels), Precision);
        // Descending: 0.9 −, 0.8 −, 0.2 + (P = 1/3, R = ½), 0.1 + (P = 2/4, R = 1).
        // AP = ½·⅓ + ½·½ = 0.41666…
        Assert.Equal((0.5 / 3) + 0.25, Metrics.AveragePrecision(scores, labels), Precision);
    }

    [Fact]
    public void AucIgnoresTheScaleOfTheScores()
    {
        // A monotone transform keeps every pair's order, so AUC and AP are unchanged.
        var stretched = new double[Scores.Length];
        for (var i = 0; i < Scores.Length; i++)
        {
            stretched[i] = Math.Exp(10 * Scores[i]) - 1000;
        }

        Assert.Equal(0.75, Metrics.AucRoc(stretched, Labels), Precision);
        Assert.Equal(0.5 + (0.5 * 2 / 3.0), Metrics.AveragePrecision(stretched, Labels), Precision);
    }

    [Fact]
    public void AllPositivesGiveAveragePrecisionOne()
    {
        // Every threshold has precision 1.
        Assert.Equal(1.0, Metrics.AveragePrecision([0.3, 0.7, 0.7], [true, true, true]), Precision);
    }

    [Fact]
    public void OneClassOrNoDataGivesNaN()
    {
        Assert.True(double.IsNaN(Metrics.AucRoc([0.1, 0.2], [false, false])));
        Assert.True(double.IsNaN(Metrics.AucRoc([0.1, 0.2], [true, true])));
        Assert.True(double.IsNaN(Metrics.AucRoc([], [])));
        Assert.True(double.IsNaN(Metrics.AveragePrecision([0.1, 0.2], [false, false])));
        Assert.True(double.IsNaN(Metrics.AveragePrecision([], [])));
    }

    [Fact]
    public void MismatchedLengthsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Metrics.AucRoc([0.1, 0.2], [true]));
        Assert.Equal("labels", e.ParamName);
        Assert.Throws<ArgumentException>(() => Metrics.AveragePrecision([0.1], [true, false]));
    }

    [Fact]
    public void NaNScoresAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Metrics.AucRoc([0.1, double.NaN], [true, false]));
        Assert.Equal("scores", e.ParamName);
    }

    [Fact]
    public void InputSpansAreLeftUnsorted()
    {
        double[] scores = [0.1, 0.4, 0.35, 0.8];
        bool[] labels = [false, false, true, true];
        Metrics.AucRoc(scores, labels);
        Metrics.AveragePrecision(scores, labels);

        Assert.Equal([0.1, 0.4, 0.35, 0.8], scores);
        Assert.Equal([false, false, true, true], labels);
    }
}
