using Fraud.Core.Features;
using static Fraud.Core.Tests.TestTransactions;

namespace Fraud.Core.Tests.Features;

public class AccountFeatureTests
{
    private static float[] Observe(ProfileTracker tracker, Fraud.Contracts.Transaction tx)
    {
        var f = new float[FeatureVector.Length];
        tracker.Observe(tx, f);
        return f;
    }

    private static ProfileTracker Tracker() => new(new ProfileOptions());

    [Fact]
    public void FirstTransactionHasNoHistory()
    {
        var f = Observe(Tracker(), Tx("a", 0, 50m));

        Assert.Equal(50f, f[(int)Feature.Amount]);
        Assert.Equal(0f, f[(int)Feature.AccountCount1d]);
        Assert.True(FeatureVector.IsMissing(f[(int)Feature.AmountToMean30d]));
        Assert.True(FeatureVector.IsMissing(f[(int)Feature.AccountSecondsSincePrevious]));
    }

    [Fact]
    public void ARedeliveryIsScoredFromTheSameShortTermHistoryAsItsFirstDelivery()
    {
        var tracker = Tracker();
        for (var i = 0; i < 4; i++)
        {
            Observe(tracker, Tx("a", i * 5, 1.5m, id: $"small-{i}"));
        }

        var first = Observe(tracker, Tx("a", 30, 20m, id: "target"));
        var features = new float[FeatureVector.Length];
        Assert.False(tracker.Observe(Tx("a", 30, 20m, id: "target"), features));

        foreach (var feature in new[]
                 {
                     Feature.AccountCount1h, Feature.AccountSmallCount1h, Feature.AccountAmountSum1h, Feature.AccountSecondsSincePrevious,
                     Feature.AmountToRecentMedian, Feature.AmountRankRecent, Feature.AccountHistoryCount,
                 })
        {
            Assert.True(first[(int)feature] == features[(int)feature], $"{feature}: first {first[(int)feature]}, redelivered {features[(int)feature]}");
        }
    }

    [Fact]
    public void OneHourWindowIsExactAndExcludesTheCurrentTransaction()
    {
        var tracker = Tracker();
        Observe(tracker, Tx("a", 0, 10m));      // 61 minutes before the last: outside the hour
        Observe(tracker, Tx("a", 30, 1m));
        Observe(tracker, Tx("a", 45, 2m));
        var f = Observe(tracker, Tx("a", 61, 100m));

        Assert.Equal(2f, f[(int)Feature.AccountCount1h]);
        Assert.Equal(3f, f[(int)Feature.AccountAmountSum1h]);
        Assert.Equal(2f, f[(int)Feature.AccountSmallCount1h]); // 1.00 and 2.00 are at or below the 2.00 default
        Assert.Equal(16 * 60f, f[(int)Feature.AccountSecondsSincePrevious]);
    }

    [Fact]
    public void DecayedWindowsCountLikeSlidingWindowsAndDecayWithTime()
    {
        var tracker = Tracker();
        Observe(tracker, Tx("a", 0, 10m));
        Observe(tracker, Tx("a", 0, 20m));
        Observe(tracker, Tx("a", 0, 30m));
        var now = Observe(tracker, Tx("a", 0, 40m));
        var otherAccount = Observe(tracker, Tx("b", 0, 1m));
        var later = Observe(tracker, Tx("a", 24 * 60, 40m));

        Assert.Equal(3f, now[(int)Feature.AccountCount1d], 3);
        Assert.Equal(20f, now[(int)Feature.AccountMeanAmount30d], 3);
        Assert.Equal(0f, otherAccount[(int)Feature.AccountCount1d]);
        // One day later the 1-day window holds 4/e, the 30-day window 4·e^(−1/30).
        Assert.Equal(4f / MathF.E, later[(int)Feature.AccountCount1d], 3);
        Assert.Equal(4f * MathF.Exp(-1f / 30f), later[(int)Feature.AccountCount30d], 3);
        Assert.Equal(25f, later[(int)Feature.AccountMeanAmount30d], 3);
    }

    [Fact]
    public void AmountComparesWithTheAccountsOwnHistory()
    {
        var tracker = Tracker();
        foreach (var (minute, amount) in new[] { (0, 10m), (60, 20m), (120, 30m), (180, 40m) })
        {
            Observe(tracker, Tx("a", minute, amount));
        }

        var f = Observe(tracker, Tx("a", 240, 250m));

        Assert.Equal(10f, f[(int)Feature.AmountToMean30d], 1);        // 250 / 25 (older amounts weigh a little less)
        Assert.Equal(10f, f[(int)Feature.AmountToRecentMedian], 2);   // median of 10,20,30,40 = 25
        Assert.Equal(1f, f[(int)Feature.AmountRankRecent]);           // above every recent amount
        Assert.True(f[(int)Feature.AmountZScore30d] > 2f);
        Assert.InRange(f[(int)Feature.AmountToMax30d], 6.25f, 6.3f); // 250 / 40, the decayed max ages a little in an hour
    }

    [Fact]
    public void NewMerchantDeviceAndCountryAreFlaggedOnlyWhenKnowable()
    {
        var tracker = Tracker();
        var first = Observe(tracker, Tx("a", 0, 10m, merchant: "m1", device: "d1", country: "FR"));
        var same = Observe(tracker, Tx("a", 10, 10m, merchant: "m1", device: "d1", country: "FR"));
        var fresh = Observe(tracker, Tx("a", 20, 10m, merchant: "m2", device: "d2", country: "BR"));
        var absent = Observe(tracker, Tx("a", 30, 10m));

        Assert.True(FeatureVector.IsMissing(first[(int)Feature.NewDeviceForAccount]));
        Assert.Equal(0f, same[(int)Feature.NewMerchantForAccount]);
        Assert.Equal(0f, same[(int)Feature.NewDeviceForAccount]);
        Assert.Equal(0f, same[(int)Feature.NewCountryForAccount]);
        Assert.Equal(1f, fresh[(int)Feature.NewMerchantForAccount]);
        Assert.Equal(1f, fresh[(int)Feature.NewDeviceForAccount]);
        Assert.Equal(1f, fresh[(int)Feature.NewCountryForAccount]);
        Assert.True(FeatureVector.IsMissing(absent[(int)Feature.NewMerchantForAccount]));
    }

    [Fact]
    public void GeoVelocityMeasuresImpossibleTravel()
    {
        var tracker = Tracker();
        Observe(tracker, Tx("a", 0, 10m, lat: 48.8566, lon: 2.3522));       // Paris
        var f = Observe(tracker, Tx("a", 60, 10m, lat: 40.4168, lon: -3.7038)); // Madrid, an hour later

        Assert.InRange(f[(int)Feature.DistanceFromPreviousKm], 1040f, 1070f);
        Assert.InRange(f[(int)Feature.SpeedFromPreviousKmh], 1040f, 1070f);
    }

    [Fact]
    public void RedeliveryIsNotCountedTwice()
    {
        var tracker = Tracker();
        var tx = Tx("a", 0, 10m, merchant: "m", id: "same");
        Assert.True(tracker.Observe(tx, new float[FeatureVector.Length]));
        Assert.False(tracker.Observe(tx, new float[FeatureVector.Length]));

        var f = Observe(tracker, Tx("a", 1, 10m, merchant: "m"));
        Assert.Equal(1f, f[(int)Feature.AccountCount1h]);
        Assert.Equal(1f, f[(int)Feature.MerchantCount1d], 2);
    }

    [Fact]
    public void OutOfOrderDeliveriesGiveTheSameWindowsAsInOrder()
    {
        var times = new[] { 0.0, 90, 200, 1500, 3000 };
        var inOrder = Tracker();
        var shuffled = Tracker();
        foreach (var t in times)
        {
            Observe(inOrder, Tx("a", t, (decimal)(t + 1), id: $"x{t}"));
        }

        foreach (var t in new[] { 200.0, 0, 3000, 90, 1500 })
        {
            Observe(shuffled, Tx("a", t, (decimal)(t + 1), id: $"x{t}"));
        }

        var a = Observe(inOrder, Tx("a", 4000, 5m));
        var b = Observe(shuffled, Tx("a", 4000, 5m));
        foreach (var feature in new[] { Feature.AccountCount1d, Feature.AccountCount30d, Feature.AccountMeanAmount7d, Feature.AccountMaxAmount30d, Feature.AccountCount1h })
        {
            Assert.Equal(a[(int)feature], b[(int)feature], 2);
        }
    }

    [Fact]
    public void AccountProfileStaysWellUnderOneKilobyte()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var profiles = new AccountProfile[1000];
        for (var i = 0; i < profiles.Length; i++)
        {
            profiles[i] = new AccountProfile();
        }

        var perProfile = (GC.GetAllocatedBytesForCurrentThread() - before - 8 * 1000) / 1000.0;
        GC.KeepAlive(profiles);
        Assert.InRange(perProfile, 100, 600);
    }
}
