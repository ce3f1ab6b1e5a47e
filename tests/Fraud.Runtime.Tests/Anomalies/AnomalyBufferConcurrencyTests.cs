using Fraud.Runtime.Anomalies;
using static Fraud.Runtime.Tests.Anomalies.TestAnomalies;

namespace Fraud.Runtime.Tests.Anomalies;

public sealed class AnomalyBufferConcurrencyTests
{
    private const int Writers = 8;
    private const int Readers = 2;
    private const int PerWriter = 10_000;
    private const int MaxSize = 1_000;

    [Fact]
    public async Task ConcurrentWritersAndReadersStayWithinTheCapAndLoseNoInsert()
    {
        var buffer = new AnomalyBuffer(new AnomalyBufferOptions { MaxSize = MaxSize }, new ManualTimeProvider());
        using var writersDone = new CancellationTokenSource();
        var writers = new List<Task>();
        for (var w = 0; w < Writers; w++)
        {
            var writer = w;
            writers.Add(Task.Run(() =>
            {
                var lastEvictions = 0L;
                for (var i = 0; i < PerWriter; i++)
                {
                    buffer.Add(Create(Id(writer, i)));
                    if (i % 64 == 0)
                    {
                        lastEvictions = CheckInvariants(buffer, Id((writer + 1) % Writers, i), lastEvictions);
                    }
                }
            }));
        }

        var readers = new List<Task>();
        for (var r = 0; r < Readers; r++)
        {
            var seed = r;
            readers.Add(Task.Run(() =>
            {
                var random = new Random(seed);
                var lastEvictions = 0L;
                while (!writersDone.IsCancellationRequested)
                {
                    lastEvictions = CheckInvariants(buffer, Id(random.Next(Writers), random.Next(PerWriter)), lastEvictions);
                }
            }));
        }

        try
        {
            await Task.WhenAll(writers);
        }
        finally
        {
            await writersDone.CancelAsync();
            await Task.WhenAll(readers);
        }

        // Every id is distinct, so each insert is either still held or was evicted.
        Assert.Equal(MaxSize, buffer.Count);
        Assert.Equal((Writers * PerWriter) - MaxSize, buffer.Evictions);
        Assert.Equal(MaxSize, AssertEachWriterKeepsItsNewest(buffer));
    }

    [Fact]
    public async Task ExpiryDuringConcurrentWritesDropsFromTheOldEnd()
    {
        var time = new ManualTimeProvider();
        var ttl = TimeSpan.FromSeconds(5);
        var buffer = new AnomalyBuffer(new AnomalyBufferOptions { MaxSize = MaxSize, Ttl = ttl }, time);
        var tasks = new List<Task>();
        for (var w = 0; w < Writers; w++)
        {
            var writer = w;
            tasks.Add(Task.Run(() =>
            {
                var lastEvictions = 0L;
                for (var i = 0; i < PerWriter; i++)
                {
                    buffer.Add(Create(Id(writer, i)));
                    if (i % 100 == 0)
                    {
                        time.Advance(TimeSpan.FromSeconds(1));
                        lastEvictions = CheckInvariants(buffer, Id(writer, i), lastEvictions);
                    }
                }
            }));
        }

        await Task.WhenAll(tasks);

        var count = buffer.Count;
        var evictions = buffer.Evictions;
        Assert.InRange(count, 1, MaxSize);
        Assert.Equal(count, AssertEachWriterKeepsItsNewest(buffer));
        // Without expiry every insert would be held or evicted; the shortfall is what expired.
        Assert.True(count + evictions < Writers * PerWriter);

        time.Advance(ttl);
        Assert.Equal(0, buffer.Count);
        Assert.Equal(0, AssertEachWriterKeepsItsNewest(buffer));
        Assert.Equal(evictions, buffer.Evictions);
    }

    private static string Id(int writer, int i) => $"{writer}-{i}";

    /// <summary>What must hold at any moment, whatever the other threads are doing.</summary>
    private static long CheckInvariants(AnomalyBuffer buffer, string id, long lastEvictions)
    {
        Assert.InRange(buffer.Count, 0, MaxSize);
        if (buffer.TryGet(id, out var found))
        {
            Assert.Equal(id, found.TransactionId);
        }

        var evictions = buffer.Evictions;
        Assert.True(evictions >= lastEvictions, "Evictions went backwards.");
        return evictions;
    }

    /// <summary>
    /// Eviction and expiry both take from the old end, and each writer adds in order, so what is left
    /// of each writer's ids is an unbroken run of its newest. Returns how many ids are held in all.
    /// </summary>
    private static int AssertEachWriterKeepsItsNewest(AnomalyBuffer buffer)
    {
        var held = 0;
        for (var w = 0; w < Writers; w++)
        {
            var i = PerWriter - 1;
            for (; i >= 0 && buffer.TryGet(Id(w, i), out var found); i--)
            {
                Assert.Equal(Id(w, i), found.TransactionId);
                held++;
            }

            for (; i >= 0; i--)
            {
                Assert.False(buffer.TryGet(Id(w, i), out _), $"{Id(w, i)} is held although a newer id of its writer is gone.");
            }
        }

        return held;
    }
}
