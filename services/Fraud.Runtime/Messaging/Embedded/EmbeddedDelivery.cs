using Fraud.Contracts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Fraud.Runtime.Observability;

namespace Fraud.Runtime.Messaging.Embedded;

/// <summary>
/// The subscribing side of <see cref="EmbeddedBus"/>: hands queued transactions (small publishes
/// coalesced, up to <see cref="EmbeddedBusOptions.DeliveryBatch"/>) and verdicts to the handlers
/// registered with <c>AddSubscription</c>, as Dapr would deliver them to the same handlers.
/// Deliveries are handled one after another in arrival order up to the ledger commit; their commits
/// overlap (<see cref="EmbeddedBusOptions.MaxConcurrentDeliveries"/>). On shutdown it refuses new
/// work and finishes what was accepted.
/// </summary>
/// <remarks>
/// Two stages, the bus and then the ledger's group commit, because each was measured to pay for
/// itself: coalescing doubles the throughput of single-transaction requests, overlapping commits
/// with scoring adds a sixth for batches of 1,000 (bench/RESULTS.md, "Why the embedded path keeps
/// two stages").
/// </remarks>
public sealed class EmbeddedDelivery : BackgroundService
{
    private readonly EmbeddedBus _bus;
    private readonly IEventHandler<Transaction> _transactions;
    private readonly IEventHandler<Verdict>? _verdicts;
    private readonly EmbeddedBusOptions _options;
    private readonly ThrottledLog _failureLog = new(TimeSpan.FromSeconds(10));
    private readonly ILogger<EmbeddedDelivery> _logger;

    public EmbeddedDelivery(
        EmbeddedBus bus,
        IEnumerable<IEventHandler<Transaction>> transactions,
        IEnumerable<IEventHandler<Verdict>> verdicts,
        IOptions<EmbeddedBusOptions> options,
        ILogger<EmbeddedDelivery> logger)
    {
        _bus = bus;
        _transactions = transactions.SingleOrDefault() ?? throw new InvalidOperationException(
            "Nothing in this process subscribes to the transactions topic. The embedded runtime runs the API and the detector "
            + "in one process (`fraud run`); fraud-api and fraud-detector on their own run on Dapr (started by `dapr run` or in Kubernetes).");
        _verdicts = verdicts.SingleOrDefault();
        _options = options.Value;
        _logger = logger;
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        _bus.Close();
        return base.StopAsync(cancellationToken);
    }

    // Both loops go on after stoppingToken fires: accepted work is finished, not dropped.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Task.Run(DeliverTransactionsAsync, CancellationToken.None), Task.Run(DeliverVerdictsAsync, CancellationToken.None));

    private async Task DeliverTransactionsAsync()
    {
        using var concurrency = new SemaphoreSlim(_options.MaxConcurrentDeliveries);
        var inFlight = new HashSet<Task>();
        var reader = _bus.Transactions;
        var batch = new List<Delivery<Transaction>>();
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            batch.Clear();
            var count = 0;
            while (count < _options.DeliveryBatch && reader.TryRead(out var delivery))
            {
                batch.Add(delivery);
                count += delivery.Events.Count;
            }

            await concurrency.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            var task = DeliverAsync([.. batch], count, concurrency);
            lock (inFlight)
            {
                inFlight.Add(task);
            }

            _ = task.ContinueWith(t =>
            {
                lock (inFlight)
                {
                    inFlight.Remove(t);
                }
            }, TaskScheduler.Default);
        }

        Task[] remaining;
        lock (inFlight)
        {
            remaining = [.. inFlight];
        }

        await Task.WhenAll(remaining).ConfigureAwait(false);
    }

    private async Task DeliverAsync(Delivery<Transaction>[] deliveries, int count, SemaphoreSlim concurrency)
    {
        Exception? failure = null;
        try
        {
            IReadOnlyList<Transaction> transactions = deliveries.Length == 1 ? deliveries[0].Events : Concat(deliveries, count);
            // The handler runs synchronously up to the ledger commit, so deliveries are scored in order.
            await _transactions.HandleAsync(transactions, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
            if (_failureLog.ShouldLog(out var suppressed))
            {
                _logger.LogError(e, "Delivery of {Count} transactions failed ({Suppressed} more failed deliveries since the last one logged); their publishers are told to retry", count, suppressed);
            }
        }

        // The bus's room is given back before the publishers hear their answer, so a publisher that
        // sends its next batch as soon as it has the answer finds the room its last one took.
        _bus.Release(count);
        concurrency.Release();
        foreach (var delivery in deliveries)
        {
            if (failure is null)
            {
                delivery.Done.TrySetResult();
            }
            else
            {
                delivery.Done.TrySetException(failure);
            }
        }
    }

    private async Task DeliverVerdictsAsync()
    {
        await foreach (var delivery in _bus.Verdicts.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            try
            {
                if (_verdicts is not null)
                {
                    await _verdicts.HandleAsync(delivery.Events, CancellationToken.None).ConfigureAwait(false);
                }

                delivery.Done.TrySetResult();
            }
            catch (Exception e)
            {
                delivery.Done.TrySetException(e);
            }
        }
    }

    private static List<Transaction> Concat(Delivery<Transaction>[] deliveries, int count)
    {
        var all = new List<Transaction>(count);
        foreach (var delivery in deliveries)
        {
            all.AddRange(delivery.Events);
        }

        return all;
    }
}
