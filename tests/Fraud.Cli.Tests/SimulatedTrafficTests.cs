using Fraud.Cli.Run;
using Fraud.Contracts;
using Fraud.Runtime.Messaging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fraud.Cli.Tests;

public sealed class SimulatedTrafficTests
{
    [Fact]
    public async Task Days_of_history_go_out_at_once_then_the_stream_is_paced_and_backpressure_loses_nothing()
    {
        var smooth = await RunUntilPacedAsync(new RecordingPublisher(refuseFirst: 0));
        var refused = await RunUntilPacedAsync(new RecordingPublisher(refuseFirst: 3));

        foreach (var publisher in new[] { smooth, refused })
        {
            var first = publisher.Batches[0][0].Timestamp;
            var day = new DateTimeOffset(first.UtcDateTime.Date, TimeSpan.Zero);
            var history = publisher.Batches.TakeWhile(b => b.Count > 5).SelectMany(b => b).ToList();
            // 2,000 simulated accounts over three days: thousands of transactions before the first paced batch.
            Assert.True(history.Count > 5_000, $"only {history.Count} transactions of history");
            Assert.All(history, t => Assert.True(t.Timestamp < day + SimulatedTraffic.WarmUp));
            Assert.All(publisher.Batches.SkipWhile(b => b.Count > 5), b => Assert.Equal(5, b.Count)); // 50/s in 100 ms ticks
            var all = publisher.Batches.SelectMany(b => b).ToList();
            Assert.All(all, t => Assert.StartsWith("sim-", t.TransactionId, StringComparison.Ordinal));
            Assert.Equal(all.Count, all.Select(t => t.TransactionId).Distinct().Count());
        }

        // Refused batches were sent again: the same history, in the same order.
        Assert.Equal(3, refused.Refusals);
        Assert.Equal(
            smooth.Batches.TakeWhile(b => b.Count > 5).SelectMany(b => b).Select(t => t.TransactionId[19..]),
            refused.Batches.TakeWhile(b => b.Count > 5).SelectMany(b => b).Select(t => t.TransactionId[19..]));
    }

    private static async Task<RecordingPublisher> RunUntilPacedAsync(RecordingPublisher publisher)
    {
        var traffic = new SimulatedTraffic(publisher, new SimulatedTrafficOptions(Rate: 50), TimeProvider.System, NullLogger<SimulatedTraffic>.Instance);
        await traffic.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (publisher.PacedBatches < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "the paced stream did not start within 60 s");
            await Task.Delay(20);
        }

        await traffic.StopAsync(CancellationToken.None);
        return publisher;
    }

    private sealed class RecordingPublisher(int refuseFirst) : ITransactionPublisher
    {
        private readonly Lock _lock = new();
        private int _toRefuse = refuseFirst;

        public List<IReadOnlyList<Transaction>> Batches { get; } = [];

        public int Refusals { get; private set; }

        public int PacedBatches
        {
            get
            {
                lock (_lock)
                {
                    return Batches.Count(b => b.Count <= 5);
                }
            }
        }

        public Task<PublishResult> PublishAsync(IReadOnlyList<Transaction> transactions, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                if (_toRefuse > 0)
                {
                    _toRefuse--;
                    Refusals++;
                    throw new BackpressureException("full", TimeSpan.FromMilliseconds(5));
                }

                Batches.Add(transactions.ToArray());
                return Task.FromResult(PublishResult.AllAccepted(transactions.Count));
            }
        }
    }
}
