using Fraud.Runtime.Anomalies;
using Fraud.Contracts;
using static Fraud.Runtime.Tests.Anomalies.TestAnomalies;

namespace Fraud.Runtime.Tests.Anomalies;

public sealed class AnomalyBufferConcurrencyTests
{
    private const int Writers = 8;
    private const int PerWriter = 10_000;

    [Fact]
    public async Task ConcurrentWritersAndReadersStayWithinTheCapAndLoseNoInsert()
    {
        var buffer = new AnomalyBuffer(new AnomalyBufferOptions { MaxSize = 1_000 }, new ManualTimeProvider());
        var tasks = new List<Task>();
        for (var w = 0; w < Writers; w++)
        {
            var writer = w;
            tasks.Add(Task.Run(() =>
            {
                for (var i = 0; i < PerWriter; i++)
                {
                    buffer.Add(Create($"{writer}-{i}", $"acct-{i % 50}"));
                    if (i % 64 == 0)
                    {
                        // Readers and reviewers interleaved with the writers.
                        buffer.Query(new AnomalyQuery(AccountId: $"acct-{i % 50}", Limit: 10));
                        buffer.TryUpdate($"{writer}-{i - 1}", a => a with { Status = AnomalyStatus.Dismissed });
                        Assert.True(buffer.Count <= 1_000);
                    }
                }
            }));
        }

        await Task.WhenAll(tasks);

        // Every id is distinct: each insert is either still held or was evicted.
        Assert.Equal(1_000, buffer.Count);
        Assert.Equal(Writers * PerWriter, buffer.Inserted);
        Assert.Equal((Writers * PerWriter) - 1_000, buffer.Evictions);
        Assert.Equal(0, buffer.Expirations);
        Assert.Equal(0, buffer.Replaced);
        AssertIndexesAgree(buffer, 1_000);
    }

    [Fact]
    public async Task ExpiryDuringConcurrentWritesAccountsForEveryInsert()
    {
        var time = new ManualTimeProvider();
        var buffer = new AnomalyBuffer(new AnomalyBufferOptions { MaxSize = 1_000, Ttl = TimeSpan.FromSeconds(5) }, time);
        var tasks = new List<Task>();
        for (var w = 0; w < Writers; w++)
        {
            var writer = w;
            tasks.Add(Task.Run(() =>
            {
                for (var i = 0; i < PerWriter; i++)
                {
                    buffer.Add(Create($"{writer}-{i}", $"acct-{i % 50}"));
                    if (i % 100 == 0)
                    {
                        time.Advance(TimeSpan.FromSeconds(1));
                    }
                }
            }));
        }

        await Task.WhenAll(tasks);

        var count = buffer.Count;
        Assert.InRange(count, 1, 1_000);
        Assert.True(buffer.Expirations > 0);
        Assert.Equal(Writers * PerWriter, count + buffer.Evictions + buffer.Expirations);
        AssertIndexesAgree(buffer, count);
    }

    /// <summary>The order list and the per-account lists hold the same entries.</summary>
    private static void AssertIndexesAgree(AnomalyBuffer buffer, int count)
    {
        var all = buffer.Query(new AnomalyQuery(Limit: int.MaxValue));
        Assert.Equal(count, all.Count);
        Assert.Equal(count, all.Select(a => a.TransactionId).Distinct().Count());
        var byAccount = 0;
        for (var a = 0; a < 50; a++)
        {
            var account = $"acct-{a}";
            var listed = buffer.Query(new AnomalyQuery(AccountId: account, Limit: int.MaxValue));
            Assert.All(listed, x => Assert.Equal(account, x.AccountId));
            Assert.Equal(all.Where(x => x.AccountId == account).ToList(), listed);
            byAccount += listed.Count;
        }

        Assert.Equal(count, byAccount);
    }
}
