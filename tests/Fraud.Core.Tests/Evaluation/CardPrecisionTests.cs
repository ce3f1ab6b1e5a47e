using Fraud.Core.Evaluation;

namespace Fraud.Core.Tests.Evaluation;

public sealed class CardPrecisionTests
{
    private const int Precision = 12;

    // Three days, four accounts (F = fraud), rows deliberately out of day order:
    //   day 10: a0 0.9 F and 0.2, a1 0.8, a2 0.3 F, a3 0.1
    //   day 11: a0 0.95 F, a2 0.7 F, a1 0.6, a3 0.65 F
    //   day 12: a2 0.99 F, a3 0.98 F, a1 0.5
    private static readonly int[] Day = [11, 10, 12, 10, 10, 11, 12, 10, 11, 11, 10, 12];
    private static readonly int[] Account = [0, 0, 2, 1, 2, 2, 3, 3, 1, 3, 0, 1];
    private static readonly double[] Score = [0.95, 0.9, 0.99, 0.8, 0.3, 0.7, 0.98, 0.1, 0.6, 0.65, 0.2, 0.5];
    private static readonly bool[] Label = [true, true, true, false, true, true, true, false, false, true, false, false];

    [Fact]
    public void AccountsFoundOnEarlierDaysLeaveLaterDays()
    {
        var result = CardPrecision.AtK(Day, Account, Score, Label, k: 2);

        // Day 10: ranked a0 0.9 F, a1 0.8, a2 0.3 F, a3 0.1 → top 2 {a0, a1}: 1 fraud → 1/2; a0 found.
        //         Compromised: a0, a2 → 2.
        // Day 11: a0 left out; a2 0.7 F, a3 0.65 F, a1 0.6 → top 2 {a2, a3}: 2/2 = 1; both found.
        //         Compromised: a2, a3 → 2.
        // Day 12: a2, a3 left out; a1 0.5 → 0/2 = 0. Compromised 0.
        //         (Without the removal day 12 would score 2/2.)
        // Mean = (0.5 + 1 + 0) / 3 = 0.5.
        Assert.Equal([10, 11, 12], result.Days);
        Assert.Equal([0.5, 1.0, 0.0], result.PerDay);
        Assert.Equal([2, 2, 0], result.CompromisedPerDay);
        Assert.Equal(0.5, result.Mean, Precision);
    }

    [Fact]
    public void PrecisionDividesByKEvenWhenFewerAccountsRemain()
    {
        var result = CardPrecision.AtK(Day, Account, Score, Label, k: 5);

        // Day 10: all 4 accounts fit in the top 5; a0 and a2 are frauds → 2/5 = 0.4; both found.
        // Day 11: a1 0.6, a3 0.65 F remain → 1/5 = 0.2; a3 found. Compromised: a3 → 1.
        // Day 12: a1 remains → 0/5. Mean = (0.4 + 0.2 + 0) / 3 = 0.2.
        Assert.Equal([0.4, 0.2, 0.0], result.PerDay);
        Assert.Equal([2, 1, 0], result.CompromisedPerDay);
        Assert.Equal(0.2, result.Mean, Precision);
    }

    [Fact]
    public void AnAccountTakesItsHighestScoreAndAnyFraudOfTheDay()
    {
        int[] day = [1, 1, 1];
        int[] account = [0, 0, 1];
        double[] score = [0.1, 0.9, 0.5];
        bool[] label = [true, false, false];

        // a0: max score 0.9 (a legitimate row), max label fraud (the 0.1 row) → ranked above a1 (0.5)
        // and counted as a hit: 1/1.
        Assert.Equal(1.0, CardPrecision.AtK(day, account, score, label, k: 1).Mean, Precision);
    }

    [Fact]
    public void TiesAtTheBoundaryGoToTheLowerAccountIndex()
    {
        int[] day = [1, 1, 1];
        int[] account = [5, 4, 3];
        double[] score = [0.5, 0.5, 0.5];

        // All tied at 0.5, k = 1 → account 3 is taken, whatever the row order.
        Assert.Equal(1.0, CardPrecision.AtK(day, account, score, [false, false, true], k: 1).Mean, Precision);
        Assert.Equal(0.0, CardPrecision.AtK(day, account, score, [true, false, false], k: 1).Mean, Precision);
    }

    [Fact]
    public void ADayWithOnlyFoundAccountsStillCountsAsZero()
    {
        // Day 1: a0 fraud → 1/1, found. Day 2: only a0, which is left out → 0/1. Mean = (1 + 0) / 2.
        var result = CardPrecision.AtK([1, 2], [0, 0], [0.9, 0.9], [true, true], k: 1);

        Assert.Equal([1.0, 0.0], result.PerDay);
        Assert.Equal([1, 0], result.CompromisedPerDay);
        Assert.Equal(0.5, result.Mean, Precision);
    }

    [Fact]
    public void AccountsOutsideTheTopKStayInPlay()
    {
        // Day 1: a0 0.9 legit, a1 0.2 F; k = 1 → a0, 0/1; a1 is not found.
        // Day 2: a1 0.8 F → 1/1. Mean 0.5.
        var result = CardPrecision.AtK([1, 1, 2], [0, 1, 1], [0.9, 0.2, 0.8], [false, true, true], k: 1);

        Assert.Equal([0.0, 1.0], result.PerDay);
        Assert.Equal(0.5, result.Mean, Precision);
    }

    [Fact]
    public void NoTransactionsGiveNaN()
    {
        var result = CardPrecision.AtK([], [], [], [], k: 100);

        Assert.True(double.IsNaN(result.Mean));
        Assert.Empty(result.PerDay);
        Assert.Empty(result.CompromisedPerDay);
    }

    [Fact]
    public void InvalidArgumentsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => CardPrecision.AtK([1], [1, 2], [0.1], [true], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => CardPrecision.AtK([1], [1], [0.1], [true], 0));
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => CardPrecision.AtK([1], [-1], [0.1], [true], 1));
        Assert.Equal("account", negative.ParamName);
        var nan = Assert.Throws<ArgumentException>(() => CardPrecision.AtK([1], [0], [double.NaN], [true], 1));
        Assert.Equal("score", nan.ParamName);
    }
}
