using Fraud.Contracts;
using Fraud.Runtime.Anomalies;
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
        Assert.False(buffer.TryGet("T1", out _)); // ordinal, case-sensitive
    }

    [Fact]
    public void AnAddThatMustNotReplaceKeepsTheCopyHeldAndAReplaceTakesItsPlace()
    {
        var buffer = Buffer();
        var reviewed = Create("t1") with { Status = AnomalyStatus.ConfirmedFraud };
        buffer.Add(reviewed);

        Assert.False(buffer.Add(Create("t1"), replace: false));
        Assert.True(buffer.TryGet("t1", out var kept));
        Assert.Same(reviewed, kept);

        var dismissed = reviewed with { Status = AnomalyStatus.Dismissed };
        Assert.True(buffer.Add(dismissed));
        Assert.True(buffer.TryGet("t1", out var replaced));
        Assert.Same(dismissed, replaced);
        Assert.True(buffer.Add(Create("t2"), replace: false));
        Assert.Equal(2, buffer.Count);
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

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.False(buffer.TryGet("late", out _));
        Assert.Equal(0, buffer.Count);
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
        Assert.False(buffer.TryGet("a", out _));
        Assert.False(buffer.TryGet("b", out _));
        Assert.True(buffer.TryGet("c", out _));
        Assert.True(buffer.TryGet("d", out _));
        Assert.True(buffer.TryGet("e", out _));

        // Reading does not make an entry newer: "c" is still the oldest.
        buffer.Add(Create("f"));
        Assert.False(buffer.TryGet("c", out _));
        Assert.True(buffer.TryGet("d", out _));
        Assert.Equal(3, buffer.Count);
        Assert.Equal(3, buffer.Evictions);
    }

    [Fact]
    public void ReAddingAnIdReplacesItAndMakesItTheNewestWithoutEvicting()
    {
        var buffer = Buffer(maxSize: 3);
        buffer.Add(Create("a"));
        buffer.Add(Create("b"));
        buffer.Add(Create("c"));
        var replacement = Create("a", accountId: "other", severity: Severity.Critical);
        buffer.Add(replacement);

        Assert.Equal(0, buffer.Evictions);
        Assert.Equal(3, buffer.Count);
        Assert.True(buffer.TryGet("a", out var a));
        Assert.Same(replacement, a);

        // The order is now b, c, a (oldest first), so the cap pushes out "b", then "c", then "a".
        buffer.Add(Create("d"));
        Assert.False(buffer.TryGet("b", out _));
        Assert.True(buffer.TryGet("c", out _));
        Assert.True(buffer.TryGet("a", out _));

        buffer.Add(Create("e"));
        Assert.False(buffer.TryGet("c", out _));
        Assert.True(buffer.TryGet("a", out _));

        buffer.Add(Create("f"));
        Assert.False(buffer.TryGet("a", out _));
        Assert.Equal(3, buffer.Count);
        Assert.Equal(3, buffer.Evictions);
    }

    [Fact]
    public void ReAddingRestartsTheTtl()
    {
        var buffer = Buffer(ttl: TimeSpan.FromMinutes(10));
        buffer.Add(Create("a"));
        buffer.Add(Create("b"));
        _time.Advance(TimeSpan.FromMinutes(9));
        buffer.Add(Create("a"));
        _time.Advance(TimeSpan.FromMinutes(9));

        // 18 minutes after the first add, 9 after the second; "b" was not re-added.
        Assert.True(buffer.TryGet("a", out _));
        Assert.False(buffer.TryGet("b", out _));
        Assert.Equal(1, buffer.Count);

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(buffer.TryGet("a", out _));
        Assert.Equal(0, buffer.Count);
    }

    [Fact]
    public void SlotsFreedByEvictionAndExpiryAreReused()
    {
        var buffer = Buffer(maxSize: 4, ttl: TimeSpan.FromMinutes(10));
        for (var round = 0; round < 50; round++)
        {
            for (var i = 0; i < 6; i++)
            {
                buffer.Add(Create($"{round}-{i}"));
            }

            // Each round: 6 added, the first 2 evicted by the cap; the other 4 expire before the next round.
            Assert.Equal(4, buffer.Count);
            Assert.False(buffer.TryGet($"{round}-1", out _));
            Assert.True(buffer.TryGet($"{round}-2", out _));
            Assert.True(buffer.TryGet($"{round}-5", out _));
            if (round > 0)
            {
                Assert.False(buffer.TryGet($"{round - 1}-5", out _));
            }

            _time.Advance(TimeSpan.FromMinutes(10));
        }

        Assert.Equal(100, buffer.Evictions);
        Assert.Equal(0, buffer.Count);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(99)]
    public void MatchesASimpleListUnderRandomOperations(int seed)
    {
        // A plain list in insertion order with linear scans is the specification; the buffer must agree
        // with it after every step of random adds, replacements, time steps, evictions and expiries.
        var random = new Random(seed);
        var ttl = TimeSpan.FromMinutes(30);
        const int MaxSize = 20;
        const int IdCount = 40;
        var buffer = Buffer(maxSize: MaxSize, ttl: ttl);
        var model = new List<(Anomaly Anomaly, TimeSpan AddedAt)>();
        var now = TimeSpan.Zero;
        var evictions = 0;
        var expirations = 0;

        for (var step = 0; step < 2_000; step++)
        {
            if (random.Next(10) < 7)
            {
                var id = random.Next(IdCount).ToString(System.Globalization.CultureInfo.InvariantCulture);
                var anomaly = Create(id, severity: (Severity)random.Next(5));
                buffer.Add(anomaly);
                var existing = model.FindIndex(e => e.Anomaly.TransactionId == id);
                if (existing >= 0)
                {
                    model.RemoveAt(existing);
                }
                else if (model.Count == MaxSize)
                {
                    model.RemoveAt(0);
                    evictions++;
                }

                model.Add((anomaly, now));
            }
            else
            {
                var by = TimeSpan.FromMinutes(random.Next(6));
                _time.Advance(by);
                now += by;
            }

            expirations += model.RemoveAll(e => e.AddedAt + ttl <= now);
            Assert.Equal(model.Count, buffer.Count);
            Assert.Equal(evictions, buffer.Evictions);
            for (var i = 0; i < IdCount; i++)
            {
                var id = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var expected = model.Find(e => e.Anomaly.TransactionId == id).Anomaly;
                Assert.Equal(expected is not null, buffer.TryGet(id, out var found));
                Assert.Same(expected, found);
            }
        }

        // Both bounds must have been exercised for the comparison to mean anything.
        Assert.True(evictions > 0);
        Assert.True(expirations > 0);
    }

    [Fact]
    public void NullArgumentsAreRejected()
    {
        var buffer = Buffer();

        Assert.Throws<ArgumentNullException>(() => buffer.Add(null!));
        Assert.Throws<ArgumentNullException>(() => buffer.TryGet(null!, out _));
        Assert.Throws<ArgumentNullException>(() => new AnomalyBuffer(null!, _time));
        Assert.Throws<ArgumentNullException>(() => new AnomalyBuffer(new AnomalyBufferOptions(), null!));
    }

    [Fact]
    public void AnAnomalyWithoutATransactionIdIsRejected()
    {
        // Deserialization can leave a required id null; it must not reach the id dictionary.
        var buffer = Buffer();

        var e = Assert.Throws<ArgumentException>(() => buffer.Add(Create("a") with { TransactionId = null! }));
        Assert.Equal("anomaly", e.ParamName);
        Assert.Equal(0, buffer.Count);
    }

    private AnomalyBuffer Buffer(int maxSize = 100, TimeSpan? ttl = null) =>
        new(new AnomalyBufferOptions { MaxSize = maxSize, Ttl = ttl ?? TimeSpan.FromHours(1) }, _time);
}
