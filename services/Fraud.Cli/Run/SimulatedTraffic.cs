using System.Globalization;
using Fraud.Contracts;
using Fraud.Core.Simulation;
using Fraud.Runtime.Messaging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fraud.Cli.Run;

/// <summary>
/// <c>fraud run --simulate RATE</c>: publishes the simulator's stream through the same publisher as
/// <c>POST /transactions</c>: first <see cref="WarmUp"/> of simulated history at once, so profiles
/// have history and the first alerts show within seconds, then RATE transactions per second.
/// Transactions keep the simulator's own clock (starting today, UTC), which runs faster than the
/// wall clock, so its fraud scenarios unfold in minutes rather than days. Ids carry the run's
/// start so restarts never collide.
/// </summary>
internal sealed class SimulatedTraffic(ITransactionPublisher publisher, SimulatedTrafficOptions options, TimeProvider time, ILogger<SimulatedTraffic> logger)
    : BackgroundService
{
    public static readonly TimeSpan WarmUp = TimeSpan.FromDays(3);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private const int WarmUpBatch = 1_000;

    public long Published { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var started = time.GetUtcNow();
        var run = started.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var day = new DateTimeOffset(started.UtcDateTime.Date, TimeSpan.Zero);
        var simulator = new TransactionSimulator(new SimulatorOptions
        {
            Accounts = options.Accounts,
            Merchants = options.Merchants,
            Days = 3650,
            Seed = options.Seed,
            Start = day,
        });
        using var stream = simulator.Generate().GetEnumerator();
        Transaction? Next() => stream.MoveNext()
            ? stream.Current.Transaction with { TransactionId = $"sim-{run}-{stream.Current.Transaction.TransactionId[3..]}" }
            : null;

        // History first, as fast as the runtime takes it (waiting out backpressure, losing nothing).
        var batch = new List<Transaction>(WarmUpBatch);
        var carried = Next();
        for (; carried is not null && carried.Timestamp < day + WarmUp; carried = Next())
        {
            batch.Add(carried);
            if (batch.Count == WarmUpBatch)
            {
                await PublishWaitingAsync(batch, stoppingToken).ConfigureAwait(false);
            }
        }

        await PublishWaitingAsync(batch, stoppingToken).ConfigureAwait(false);
        logger.LogInformation("Simulated traffic: {Days:0} days of history published ({Count:N0} transactions); now {Rate:N0} per second",
            WarmUp.TotalDays, Published, options.Rate);

        using var timer = new PeriodicTimer(Tick, time);
        var perTick = Math.Max(1, (int)Math.Round(options.Rate * Tick.TotalSeconds));
        while (carried is not null && await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            batch.Clear();
            for (; carried is not null && batch.Count < perTick; carried = Next())
            {
                batch.Add(carried);
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

    private async Task PublishWaitingAsync(List<Transaction> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        while (true)
        {
            try
            {
                await publisher.PublishAsync(batch.ToArray(), cancellationToken).ConfigureAwait(false);
                Published += batch.Count;
                batch.Clear();
                return;
            }
            catch (BackpressureException e)
            {
                await Task.Delay(e.RetryAfter, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}

internal sealed record SimulatedTrafficOptions(double Rate, int Accounts = 2_000, int Merchants = 400, int Seed = 42);
