using System.Globalization;
using Fraud.Core.Contracts;
using Fraud.Core.Simulation;
using Fraud.Runtime.Messaging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fraud.Cli.Run;

/// <summary>
/// <c>fraud run --simulate RATE</c>: publishes the simulator's stream at RATE transactions per
/// second through the same publisher as <c>POST /transactions</c>. Transactions keep the
/// simulator's own clock (starting today, UTC), which runs faster than the wall clock, so its
/// fraud scenarios unfold in minutes rather than days. Ids carry the run's start so restarts never collide.
/// </summary>
internal sealed class SimulatedTraffic(ITransactionPublisher publisher, SimulatedTrafficOptions options, TimeProvider time, ILogger<SimulatedTraffic> logger)
    : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    public long Published { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = time.GetUtcNow();
        var run = started.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var simulator = new TransactionSimulator(new SimulatorOptions
        {
            Accounts = options.Accounts,
            Merchants = options.Merchants,
            Days = 3650,
            Seed = options.Seed,
            Start = new DateTimeOffset(started.UtcDateTime.Date, TimeSpan.Zero),
        });
        using var stream = simulator.Generate().GetEnumerator();
        using var timer = new PeriodicTimer(Tick, time);
        var perTick = Math.Max(1, (int)Math.Round(options.Rate * Tick.TotalSeconds));
        var batch = new List<Transaction>(perTick);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < perTick && stream.MoveNext())
            {
                var tx = stream.Current.Transaction;
                batch.Add(tx with { TransactionId = $"sim-{run}-{tx.TransactionId[3..]}" });
            }

            if (batch.Count == 0)
            {
                return;
            }

            try
            {
                await publisher.PublishAsync(batch.ToArray(), stoppingToken).ConfigureAwait(false);
                Published += batch.Count;
            }
            catch (BackpressureException e)
            {
                logger.LogWarning("Simulated traffic paused: {Message}", e.Message);
            }
        }
    }
}

internal sealed record SimulatedTrafficOptions(double Rate, int Accounts = 2_000, int Merchants = 400, int Seed = 42);
