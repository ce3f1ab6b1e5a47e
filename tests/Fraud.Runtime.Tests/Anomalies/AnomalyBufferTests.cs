using Fraud.Runtime.Anomalies;
using Fraud.Contracts;
using static Fraud.Runtime.Tests.Anomalies.TestAnomalies;

namespace Fraud.Runtime.Tests.Anomalies;

public sealed class AnomalyBufferTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void TryGetReturnsTheAddedAnomaly()
    {
        var buffer = Buffer();
        var added = Create("t1");
        buffer.Add(added);

        Assert.True(buffer.TryGet("t1", out var found));
        Assert.Same(added, found);
        Assert.False(buffer.TryGet("t2", out _));
    }

    [Fact]
    public void AnAnomalyExpiresOnceTheTtlHasPassedSinceItWasAdded()
    {
        var buffer = Buffer(ttl: TimeSpan.FromMinutes(10));
        buffer.Add(Create("early"));
        _time.Advance(TimeSpan.FromMinutes(5));
        buffer.Add(Create("late"));

        // 9:59 after "early": both still held.
        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.True(buffer.TryGet("early", out _));
        Assert.Equal(2, buffer.Count);

        // 10:00 after "early": an entry lives for exactly the TTL.
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(buffer.TryGet("early", out _));
        Assert.True(buffer.TryGet("late", out _));
        Assert.Equal(1, buffer.Count);
        Assert.Equal(1, buffer.Expirations);

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, buffer.Count);
        Assert.Equal(2, buffer.Expirations);
        Assert.Equal(0, buffer.Evictions);
    }

    [Fact]
    public void TheSizeCapEvictsTheOldestFirst()
    {
        var buffer = Buffer(maxSize: 3);
        foreach (var id in new[] { "a", "b", "c", "d", "e" })
        {
            buffer.Add(Create(id));
        }

        Assert.Equal(3, buffer.Count);
        Assert.Equal(2, buffer.Evictions);
        Assert.Equal(5, buffer.Inserted);
        Assert.Equal(0, buffer.Expirations);
        Assert.False(buffer.TryGet("a", out _));
        Assert.False(buffer.TryGet("b", out _));
        Assert.Equal(["e", "d", "c"], Ids(buffer.Query(new AnomalyQuery())));
    }

    [Fact]
    public void ReAddingAnIdReplacesItAndMakesItTheNewestWithoutEvicting()
    {
        var buffer = Buffer(maxSize: 3);
        buffer.Add(Create("a"));
        buffer.Add(Create("b"));
        buffer.Add(Create("c"));
        buffer.Add(Create("a", severity: Severity.Critical));

        Assert.Equal(0, buffer.Evictions);
        Assert.Equal(3, buffer.Count);
        Assert.Equal(1, buffer.Replaced);
        Assert.Equal(4, buffer.Inserted);
        Assert.Equal(["a", "c", "b"], Ids(buffer.Query(new AnomalyQuery())));
        Assert.True(buffer.TryGet("a", out var a));
        Assert.Equal(Severity.Critical, a.Severity);

        // "b" is now the oldest, so it is the one the cap pushes out.
        buffer.Add(Create("d"));
        Assert.False(buffer.TryGet("b", out _));
        Assert.True(buffer.TryGet("a", out _));
    }

    [Fact]
    public void ReAddingRestartsTheTtl()
    {
        var buffer = Buffer(ttl: TimeSpan.FromMinutes(10));
        buffer.Add(Create("a"));
        _time.Advance(TimeSpan.FromMinutes(9));
        buffer.Add(Create("a"));
        _time.Advance(TimeSpan.FromMinutes(9));

        // 18 minutes after the first add, 9 after the second.
        Assert.True(buffer.TryGet("a", out _));
        Assert.Equal(0, buffer.Expirations);
    }

    [Fact]
    public void ReAddingUnderAnotherAccountMovesItBetweenAccounts()
    {
        var buffer = Buffer();
        buffer.Add(Create("a", accountId: "x"));
        buffer.Add(Create("a", accountId: "y"));

        Assert.Empty(buffer.Query(new AnomalyQuery(AccountId: "x")));
        Assert.Equal(["a"], Ids(buffer.Query(new AnomalyQuery(AccountId: "y"))));
    }

    [Fact]
    public void TryUpdateKeepsPositionAndInsertionTime()
    {
        var buffer = Buffer(maxSize: 2, ttl: TimeSpan.FromMinutes(10));
        buffer.Add(Create("a"));
        _time.Advance(TimeSpan.FromMinutes(1));
        buffer.Add(Create("b"));

        var reviewedAt = _time.GetUtcNow();
        Assert.True(buffer.TryUpdate("a", x => x with { Status = AnomalyStatus.ConfirmedFraud, ReviewedBy = "ana", ReviewedAt = reviewedAt }));

        Assert.Equal(["b", "a"], Ids(buffer.Query(new AnomalyQuery())));
        Assert.True(buffer.TryGet("a", out var a));
        Assert.Equal(AnomalyStatus.ConfirmedFraud, a.Status);
        Assert.Equal("ana", a.ReviewedBy);
        Assert.Equal(2, buffer.Inserted);

        // Still expires 10 minutes after it was added, not after the review.
        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.False(buffer.TryGet("a", out _));
        Assert.True(buffer.TryGet("b", out _));
    }

    [Fact]
    public void TryUpdateOfAnAbsentOrExpiredIdReturnsFalseWithoutCallingTheUpdate()
    {
        var buffer = Buffer(ttl: TimeSpan.FromMinutes(10));
        buffer.Add(Create("a"));
        _time.Advance(TimeSpan.FromMinutes(10));
        var calls = 0;

        Assert.False(buffer.TryUpdate("a", x => { calls++; return x; }));
        Assert.False(buffer.TryUpdate("never", x => { calls++; return x; }));
        Assert.Equal(0, calls);
    }

    [Fact]
    public void TryUpdateRejectsChangesOfTheIds()
    {
        var buffer = Buffer();
        var original = Create("a", accountId: "x");
        buffer.Add(original);

        Assert.Throws<InvalidOperationException>(() => buffer.TryUpdate("a", x => x with { TransactionId = "b" }));
        Assert.Throws<InvalidOperationException>(() => buffer.TryUpdate("a", x => x with { AccountId = "y" }));
        Assert.Throws<InvalidOperationException>(() => buffer.TryUpdate("a", _ => null!));
        Assert.True(buffer.TryGet("a", out var kept));
        Assert.Same(original, kept);
    }

    [Fact]
    public void TryUpdateRunsAgainWhenTheAnomalyChangesUnderIt()
    {
        var buffer = Buffer();
        buffer.Add(Create("a", severity: Severity.Low));
        var seen = new List<Severity>();

        var updated = buffer.TryUpdate("a", x =>
        {
            seen.Add(x.Severity);
            if (seen.Count == 1)
            {
                // Another writer replaces the anomaly while the first update is being computed.
                buffer.Add(Create("a", severity: Severity.Critical));
            }

            return x with { Note = "reviewed" };
        });

        Assert.True(updated);
        Assert.Equal([Severity.Low, Severity.Critical], seen);
        Assert.True(buffer.TryGet("a", out var a));
        Assert.Equal(Severity.Critical, a.Severity);
        Assert.Equal("reviewed", a.Note);
    }

    [Fact]
    public void SlotsFreedByEvictionAndExpiryAreReused()
    {
        var buffer = Buffer(maxSize: 4, ttl: TimeSpan.FromMinutes(10));
        for (var round = 0; round < 50; round++)
        {
            for (var i = 0; i < 6; i++)
            {
                buffer.Add(Create($"{round}-{i}", accountId: $"acct-{i % 3}"));
            }

            _time.Advance(TimeSpan.FromMinutes(10));
        }

        // Each round: 6 added, 2 evicted by the cap, the other 4 expired by the next round's first add.
        Assert.Equal(300, buffer.Inserted);
        Assert.Equal(100, buffer.Evictions);
        Assert.Equal(0, buffer.Count);
        Assert.Equal(200, buffer.Expirations);
    }

    [Fact]
    public void NullArgumentsAreRejected()
    {
        var buffer = Buffer();

        Assert.Throws<ArgumentNullException>(() => buffer.Add(null!));
        Assert.Throws<ArgumentNullException>(() => buffer.TryGet(null!, out _));
        Assert.Throws<ArgumentNullException>(() => buffer.TryUpdate("a", null!));
        Assert.Throws<ArgumentNullException>(() => buffer.Query(null!));
        Assert.Throws<ArgumentNullException>(() => new AnomalyBuffer(new AnomalyBufferOptions(), null!));
    }

    private AnomalyBuffer Buffer(int maxSize = 100, TimeSpan? ttl = null) =>
        new(new AnomalyBufferOptions { MaxSize = maxSize, Ttl = ttl ?? TimeSpan.FromHours(1) }, _time);
}
