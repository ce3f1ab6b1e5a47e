using Fraud.Core.Features;

namespace Fraud.Core.Tests.Features;

public class ProfileStoreTests
{
    private sealed class Stub : IProfile
    {
        public int LastSeen { get; set; }
    }

    [Fact]
    public void CapEvictsTheLeastRecentlyActive()
    {
        var store = new ProfileStore<Stub>(maxCount: 100, TimeSpan.FromDays(365));
        for (var i = 0; i < 250; i++)
        {
            store.GetOrAdd($"p{i}", nowSeconds: i).LastSeen = i;
        }

        Assert.InRange(store.Count, 90, 100);
        Assert.True(store.Evicted >= 150);
        Assert.True(store.TryGet("p249", out _), "the newest stays");
        Assert.False(store.TryGet("p0", out _), "the oldest goes");
    }

    [Fact]
    public void IdleProfilesAreDroppedOncePerDayOfStreamTime()
    {
        var store = new ProfileStore<Stub>(maxCount: 1000, TimeSpan.FromHours(12));
        store.GetOrAdd("old", 0).LastSeen = 0;
        store.GetOrAdd("recent", 10).LastSeen = 20 * 3600;

        store.GetOrAdd("trigger", 25 * 3600).LastSeen = 25 * 3600;

        Assert.False(store.TryGet("old", out _));
        Assert.True(store.TryGet("recent", out _));
        Assert.Equal(1, store.Evicted);
    }

    [Fact]
    public void EqualTimesStillRespectTheCap()
    {
        var store = new ProfileStore<Stub>(maxCount: 10, TimeSpan.FromDays(1));
        for (var i = 0; i < 50; i++)
        {
            store.GetOrAdd($"p{i}", 0);
        }

        Assert.True(store.Count <= 10);
    }

    [Fact]
    public void TrackerEvictsAccountsUnderItsCap()
    {
        var tracker = new ProfileTracker(new ProfileOptions { MaxAccounts = 50 });
        var f = new float[FeatureVector.Length];
        for (var i = 0; i < 500; i++)
        {
            tracker.Observe(TestTransactions.Tx($"acct{i}", i, 10m), f);
        }

        Assert.True(tracker.AccountCount <= 50);
        Assert.True(tracker.AccountsEvicted >= 450);
    }
}
