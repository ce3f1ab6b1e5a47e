using Fraud.Core.Features;
using Fraud.Core.Replay;
using static Fraud.Core.Tests.TestTransactions;

namespace Fraud.Core.Tests.Features;

public class MerchantFeatureTests
{
    private const double Day = 24 * 60;

    private static (TransactionReplay Replay, Func<Fraud.Contracts.LabelledTransaction, float[]> Step) Replay(double delayDays)
    {
        var delay = TimeSpan.FromDays(delayDays);
        var replay = new TransactionReplay(new ProfileTracker(new ProfileOptions { LabelDelay = delay }), delay);
        return (replay, row =>
        {
            var f = new float[FeatureVector.Length];
            replay.Step(row, f);
            return f;
        });
    }

    [Fact]
    public void AFraudLabelReachesTheMerchantOnlyAfterTheLabelDelay()
    {
        var (_, step) = Replay(7);
        step(Row(Tx("victim", 0, 80m, merchant: "m"), isFraud: true));
        step(Row(Tx("other", 1, 20m, merchant: "m"), isFraud: false));

        var beforeDelay = step(Row(Tx("x", 7 * Day - 1, 20m, merchant: "m")));
        var afterDelay = step(Row(Tx("y", 7 * Day + 2, 20m, merchant: "m")));

        Assert.Equal(0f, beforeDelay[(int)Feature.MerchantKnownFrauds30d]);
        Assert.True(FeatureVector.IsMissing(beforeDelay[(int)Feature.MerchantDaysSinceKnownFraud]));
        Assert.Equal(1f, afterDelay[(int)Feature.MerchantKnownFrauds30d]);
        Assert.Equal(7f, afterDelay[(int)Feature.MerchantDaysSinceKnownFraud], 2);
        // Day 0 held two transactions, one a fraud: the lagged 1-day risk window sees half.
        Assert.Equal(0.5f, afterDelay[(int)Feature.MerchantRisk1d], 3);
    }

    [Fact]
    public void AFraudLabelReachesTheAccountOnlyAfterTheLabelDelay()
    {
        var (_, step) = Replay(2);
        step(Row(Tx("victim", 0, 80m), isFraud: true));
        var early = step(Row(Tx("victim", Day, 10m)));
        var late = step(Row(Tx("victim", 3 * Day, 10m)));

        Assert.Equal(0f, early[(int)Feature.AccountKnownFraud30d]);
        Assert.True(late[(int)Feature.AccountKnownFraud30d] > 0.9f);
        Assert.Equal(3f, late[(int)Feature.AccountDaysSinceKnownFraud], 2);
    }

    [Fact]
    public void LegitimateLabelsAndZeroDelayBehave()
    {
        var (_, step) = Replay(0);
        step(Row(Tx("a", 0, 10m, merchant: "m"), isFraud: false));
        var f = step(Row(Tx("b", 1, 10m, merchant: "m")));
        Assert.Equal(0f, f[(int)Feature.MerchantKnownFrauds30d]);
        Assert.Equal(0f, f[(int)Feature.MerchantRisk1d]);
    }

    [Fact]
    public void MerchantCountsItsVolume()
    {
        var (_, step) = Replay(7);
        for (var i = 0; i < 5; i++)
        {
            step(Row(Tx($"a{i}", i, 10m, merchant: "m")));
        }

        var f = step(Row(Tx("z", 5, 30m, merchant: "m")));
        Assert.Equal(5f, f[(int)Feature.MerchantCount1d], 1);
        Assert.Equal(3f, f[(int)Feature.AmountToMerchantMean], 2);
        var absent = step(Row(Tx("z", 6, 30m)));
        Assert.True(FeatureVector.IsMissing(absent[(int)Feature.MerchantCount1d]));
    }
}
