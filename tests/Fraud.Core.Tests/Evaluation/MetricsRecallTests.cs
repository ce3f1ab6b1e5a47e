using Fraud.Core.Evaluation;

namespace Fraud.Core.Tests.Evaluation;

public sealed class MetricsRecallTests
{
    private const int Precision = 12;

    // Descending with labels: 0.9 +, 0.8 −, 0.7 +, 0.6 +, 0.5 −, 0.4 −. P = 3, N = 3.
    // Cumulative (TP, FP) after each threshold: (1,0) (1,1) (2,1) (3,1) (3,2) (3,3).
    private static readonly double[] Scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
    private static readonly bool[] Labels = [true, false, true, true, false, false];

    [Theory]
    [InlineData(0.0, 1 / 3.0)] // only 0.9 has FPR 0 → recall 1/3
    [InlineData(0.3, 1 / 3.0)] // FPR 1/3 > 0.3 is already too much at 0.8
    [InlineData(1 / 3.0, 1.0)] // FPR ≤ 1/3 holds down to 0.6 (TP 3) → recall 1; the bound is inclusive
    [InlineData(0.5, 1.0)]
    [InlineData(1.0, 1.0)]
    public void RecallAtFprTakesTheLastThresholdWithinTheBound(double maxFpr, double expected)
    {
        Assert.Equal(expected, Metrics.RecallAtFpr(Scores, Labels, maxFpr), Precision);
    }

    [Fact]
    public void RecallAtFprCannotSplitATiedGroup()
    {
        double[] scores = [0.9, 0.5, 0.5, 0.1];
        bool[] labels = [true, true, false, false];

        // N = 2. Threshold 0.5 flags the tied positive and negative together: FPR 1/2.
        // maxFpr 0.4 stops at 0.9 → recall 1/2 (taking the tied positive alone would wrongly give 1).
        Assert.Equal(0.5, Metrics.RecallAtFpr(scores, labels, 0.4), Precision);
        Assert.Equal(1.0, Metrics.RecallAtFpr(scores, labels, 0.5), Precision);
    }

    [Fact]
    public void RecallAtFprIsZeroWhenTheTopGroupAlreadyExceedsTheBound()
    {
        // The highest score is a negative: FPR 1/1 at the first threshold, so only "flag nothing" fits.
        Assert.Equal(0.0, Metrics.RecallAtFpr([0.9, 0.1], [false, true], 0.01), Precision);
    }

    [Fact]
    public void RecallAtFprOfOneClassIsNaN()
    {
        Assert.True(double.IsNaN(Metrics.RecallAtFpr([0.1, 0.2], [true, true], 0.01)));
        Assert.True(double.IsNaN(Metrics.RecallAtFpr([0.1, 0.2], [false, false], 0.01)));
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void RecallAtFprRejectsARateOutsideZeroToOne(double maxFpr)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.RecallAtFpr(Scores, Labels, maxFpr));
        Assert.Equal("maxFpr", e.ParamName);
    }

    [Theory]
    [InlineData(0.7, 2 / 3.0, 2 / 3.0)] // flags 0.9 +, 0.8 −, 0.7 + → recall 2/3, precision 2/3
    [InlineData(0.65, 2 / 3.0, 2 / 3.0)] // same rows
    [InlineData(0.6, 1.0, 0.75)] // inclusive: adds 0.6 + → recall 3/3, precision 3/4
    [InlineData(0.0, 1.0, 0.5)] // flags all → recall 1, precision 3/6
    public void ThresholdMetricsCountScoresAtOrAboveTheThreshold(double threshold, double recall, double precision)
    {
        Assert.Equal(recall, Metrics.RecallAtThreshold(Scores, Labels, threshold), Precision);
        Assert.Equal(precision, Metrics.PrecisionAtThreshold(Scores, Labels, threshold), Precision);
    }

    [Fact]
    public void ThresholdMetricsAreNaNWhenUndefined()
    {
        // Nothing at or above 0.95: precision 0/0. No positives: recall 0/0.
        Assert.True(double.IsNaN(Metrics.PrecisionAtThreshold(Scores, Labels, 0.95)));
        Assert.Equal(0.0, Metrics.RecallAtThreshold(Scores, Labels, 0.95), Precision);
        Assert.True(double.IsNaN(Metrics.RecallAtThreshold([0.5], [false], 0.1)));
    }
}
