using Fraud.Runtime.Anomalies;
using Fraud.Contracts;
using static Fraud.Runtime.Tests.Anomalies.TestAnomalies;

namespace Fraud.Runtime.Tests.Anomalies;

public sealed class AnomalyBufferQueryTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void FiltersCombineAndResultsComeNewestFirst()
    {
        var buffer = Buffer();
        buffer.Add(Create("1", "x", Severity.Low));
        buffer.Add(Create("2", "y", Severity.High));
        buffer.Add(Create("3", "x", Severity.Critical, AnomalyStatus.ConfirmedFraud));
        buffer.Add(Create("4", "x", Severity.Medium, AnomalyStatus.FalsePositive));
        buffer.Add(Create("5", "y", Severity.Critical));

        Assert.Equal(["5", "4", "3", "2", "1"], Ids(buffer.Query(new AnomalyQuery())));
        Assert.Equal(["5", "3", "2"], Ids(buffer.Query(new AnomalyQuery(MinSeverity: Severity.High))));
        Assert.Equal(["4", "3", "1"], Ids(buffer.Query(new AnomalyQuery(AccountId: "x"))));
        Assert.Equal(["5", "2", "1"], Ids(buffer.Query(new AnomalyQuery(Status: AnomalyStatus.Open))));
        Assert.Equal(["4", "3"], Ids(buffer.Query(new AnomalyQuery(MinSeverity: Severity.Medium, AccountId: "x"))));
        Assert.Equal(["5"], Ids(buffer.Query(new AnomalyQuery(Severity.Critical, "y", AnomalyStatus.Open))));
        Assert.Empty(buffer.Query(new AnomalyQuery(AccountId: "nobody")));
        Assert.Empty(buffer.Query(new AnomalyQuery(AccountId: "X"))); // ordinal, case-sensitive
    }

    [Fact]
    public void LimitCountsMatchesNotScannedEntries()
    {
        var buffer = Buffer();
        buffer.Add(Create("1", "x", Severity.High));
        buffer.Add(Create("2", "y", Severity.Low));
        buffer.Add(Create("3", "x", Severity.Low));
        buffer.Add(Create("4", "y", Severity.High));
        buffer.Add(Create("5", "x", Severity.High));

        Assert.Equal(["5", "4"], Ids(buffer.Query(new AnomalyQuery(Limit: 2))));
        Assert.Equal(["5", "3"], Ids(buffer.Query(new AnomalyQuery(AccountId: "x", Limit: 2))));
        // "3" and "2" are skipped by the filter, so the second match is "1".
        Assert.Equal(["5", "4", "1"], Ids(buffer.Query(new AnomalyQuery(MinSeverity: Severity.High, Limit: 3))));
        Assert.Empty(buffer.Query(new AnomalyQuery(Limit: 0)));
    }

    [Fact]
    public void ANegativeLimitIsRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Buffer().Query(new AnomalyQuery(Limit: -1)));
        Assert.Equal("query", e.ParamName);
    }

    [Fact]
    public void TheAccountIndexFollowsEvictionAndExpiry()
    {
        var buffer = Buffer(maxSize: 4, ttl: TimeSpan.FromMinutes(10));
        // Added at minutes 0, 1, 2, 3.
        foreach (var (id, account) in new[] { ("1", "x"), ("2", "y"), ("3", "x"), ("4", "y") })
        {
            buffer.Add(Create(id, account));
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        buffer.Add(Create("5", "x")); // minute 4: the cap evicts "1"
        Assert.Equal(["5", "3"], Ids(buffer.Query(new AnomalyQuery(AccountId: "x"))));
        Assert.Equal(["4", "2"], Ids(buffer.Query(new AnomalyQuery(AccountId: "y"))));

        _time.Advance(TimeSpan.FromMinutes(8)); // minute 12: "2" (1) and "3" (2) have expired
        Assert.Equal(["5"], Ids(buffer.Query(new AnomalyQuery(AccountId: "x"))));
        Assert.Equal(["4"], Ids(buffer.Query(new AnomalyQuery(AccountId: "y"))));

        _time.Advance(TimeSpan.FromMinutes(1)); // minute 13: "4" (3) has expired, y is empty; "5" (4) stays
        Assert.Empty(buffer.Query(new AnomalyQuery(AccountId: "y")));

        buffer.Add(Create("6", "y"));
        Assert.Equal(["6"], Ids(buffer.Query(new AnomalyQuery(AccountId: "y"))));
        Assert.Equal(["6", "5"], Ids(buffer.Query(new AnomalyQuery())));
    }

    [Fact]
    public void ReplacingTheMiddleOfAnAccountRelinksIt()
    {
        var buffer = Buffer();
        buffer.Add(Create("1", "x"));
        buffer.Add(Create("2", "x"));
        buffer.Add(Create("3", "x"));
        buffer.Add(Create("2", "x"));

        Assert.Equal(["2", "3", "1"], Ids(buffer.Query(new AnomalyQuery(AccountId: "x"))));
        Assert.Equal(["2", "3", "1"], Ids(buffer.Query(new AnomalyQuery())));
    }

    [Fact]
    public void ReviewsShowInStatusQueries()
    {
        var buffer = Buffer();
        buffer.Add(Create("1"));
        buffer.Add(Create("2"));

        buffer.TryUpdate("1", a => a with { Status = AnomalyStatus.Dismissed });

        Assert.Equal(["2"], Ids(buffer.Query(new AnomalyQuery(Status: AnomalyStatus.Open))));
        Assert.Equal(["1"], Ids(buffer.Query(new AnomalyQuery(Status: AnomalyStatus.Dismissed))));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(99)]
    public void MatchesASimpleListUnderRandomOperations(int seed)
    {
        // A plain list in insertion order with linear scans is the specification; the buffer must agree
        // with it after every step of random adds, replacements, reviews, time steps, evictions and expiries.
        var random = new Random(seed);
        var ttl = TimeSpan.FromMinutes(30);
        var buffer = Buffer(maxSize: 20, ttl: ttl);
        var model = new List<(Anomaly Anomaly, TimeSpan AddedAt)>();
        var now = TimeSpan.Zero;
        string[] accounts = ["a", "b", "c", "d"];

        for (var step = 0; step < 2_000; step++)
        {
            var id = random.Next(40).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var action = random.Next(10);
            if (action < 6)
            {
                var anomaly = Create(id, accounts[random.Next(accounts.Length)], (Severity)random.Next(5));
                buffer.Add(anomaly);
                model.RemoveAll(e => e.AddedAt + ttl <= now);
                var existing = model.FindIndex(e => e.Anomaly.TransactionId == id);
                if (existing >= 0)
                {
                    model.RemoveAt(existing);
                }
                else if (model.Count == 20)
                {
                    model.RemoveAt(0);
                }

                model.Add((anomaly, now));
            }
            else if (action < 8)
            {
                var status = (AnomalyStatus)random.Next(4);
                var updated = buffer.TryUpdate(id, a => a with { Status = status });
                var index = model.FindIndex(e => e.Anomaly.TransactionId == id && e.AddedAt + ttl > now);
                Assert.Equal(index >= 0, updated);
                if (index >= 0)
                {
                    model[index] = (model[index].Anomaly with { Status = status }, model[index].AddedAt);
                }
            }
            else
            {
                var by = TimeSpan.FromMinutes(random.Next(6));
                _time.Advance(by);
                now += by;
            }

            var live = model.Where(e => e.AddedAt + ttl > now).Select(e => e.Anomaly).Reverse().ToList();
            Assert.Equal(live.Count, buffer.Count);
            var minSeverity = (Severity)random.Next(5);
            var account = accounts[random.Next(accounts.Length)];
            Assert.Equal(
                live.Where(a => a.AccountId == account && a.Severity >= minSeverity).ToList(),
                buffer.Query(new AnomalyQuery(minSeverity, account, Limit: 1_000)));
            Assert.Equal(live, buffer.Query(new AnomalyQuery(Limit: 1_000)));
        }
    }

    private AnomalyBuffer Buffer(int maxSize = 100, TimeSpan? ttl = null) =>
        new(new AnomalyBufferOptions { MaxSize = maxSize, Ttl = ttl ?? TimeSpan.FromHours(1) }, _time);
}
