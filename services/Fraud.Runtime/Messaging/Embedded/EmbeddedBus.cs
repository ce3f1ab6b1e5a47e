using System.Threading.Channels;
using Fraud.Core.Contracts;
using Fraud.Runtime.Hosting;
using Fraud.Runtime.Observability;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fraud.Runtime.Messaging.Embedded;

/// <summary>
/// The embedded runtime's topics, in process. <c>transactions</c> is a bounded queue in front of
/// the detector: a publish waits for room (backpressure), and completes when the detector has
/// scored the transactions and the ledger has committed them, so a 202 means durable. Deliveries
/// are scored one after another in arrival order; their commits overlap. <c>feedback</c> goes
/// straight to the detector, <c>anomalies</c> to in-process observers, dead letters to the log.
/// </summary>
public sealed class EmbeddedBus : BackgroundService, ITransactionPublisher, IEventPublisher
{
    private readonly Channel<Envelope> _queue = System.Threading.Channels.Channel.CreateUnbounded<Envelope>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CapacityGate _gate;
    private readonly EmbeddedBusOptions _options;
    private readonly IServiceProvider _services;
    private readonly ILogger<EmbeddedBus> _logger;
    private readonly Queue<DeadLetter> _recentDeadLetters = new();
    private volatile bool _closed;

    public EmbeddedBus(IOptions<EmbeddedBusOptions> options, IServiceProvider services, ILogger<EmbeddedBus> logger)
    {
        _options = options.Value;
        _gate = new CapacityGate(_options.Capacity);
        _services = services;
        _logger = logger;
    }

    /// <summary>Transactions published and not yet committed.</summary>
    public long Pending => _gate.Used;

    public long Capacity => _gate.Capacity;

    /// <summary>The last dead letters (at most 100), newest last, for inspection.</summary>
    public IReadOnlyList<DeadLetter> RecentDeadLetters
    {
        get
        {
            lock (_recentDeadLetters)
            {
                return [.. _recentDeadLetters];
            }
        }
    }

    public async Task<PublishResult> PublishAsync(IReadOnlyList<Transaction> transactions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        if (transactions.Count == 0)
        {
            return PublishResult.AllAccepted(0);
        }

        if (_closed)
        {
            throw new BackpressureException("the service is shutting down", TimeSpan.FromSeconds(5));
        }

        if (!await _gate.AcquireAsync(transactions.Count, _options.PublishTimeout, cancellationToken).ConfigureAwait(false))
        {
            FraudMetrics.Backpressure.Inc();
            throw new BackpressureException(
                $"{_gate.Used:N0} transactions are waiting to be scored (capacity {_gate.Capacity:N0})", TimeSpan.FromSeconds(1));
        }

        var envelope = new Envelope(transactions);
        FraudMetrics.QueueDepth.WithLabels("bus").Set(_gate.Used);
        if (!_queue.Writer.TryWrite(envelope))
        {
            _gate.Release(transactions.Count);
            throw new BackpressureException("the service is shutting down", TimeSpan.FromSeconds(5));
        }

        // The caller may stop waiting; the transactions are still processed.
        await envelope.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return PublishResult.AllAccepted(transactions.Count);
    }

    public Task PublishAnomaliesAsync(IReadOnlyList<Anomaly> anomalies, CancellationToken cancellationToken)
    {
        foreach (var observer in _services.GetServices<IAnomalyObserver>())
        {
            try
            {
                observer.OnAnomalies(anomalies);
            }
            catch (Exception e)
            {
                // An observer's fault must not fail the detection that raised the alert.
                _logger.LogWarning(e, "Anomaly observer {Observer} failed", observer.GetType().Name);
            }
        }

        return Task.CompletedTask;
    }

    public Task PublishVerdictAsync(Verdict verdict, CancellationToken cancellationToken) =>
        _services.GetRequiredService<IVerdictConsumer>().ConsumeAsync(verdict, cancellationToken);

    public Task PublishDeadLetterAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        lock (_recentDeadLetters)
        {
            _recentDeadLetters.Enqueue(letter);
            while (_recentDeadLetters.Count > 100)
            {
                _recentDeadLetters.Dequeue();
            }
        }

        _logger.LogWarning("Dead letter on {Topic} (entry {EntryId}): {Errors}", letter.Topic, letter.EntryId,
            string.Join("; ", letter.Errors.Select(e => $"{e.Path}: {e.Message}")));
        return Task.CompletedTask;
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        // Refuse new work, then let the loop drain what was accepted.
        _closed = true;
        _queue.Writer.TryComplete();
        return base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var consumer = _services.GetRequiredService<ITransactionConsumer>();
        using var concurrency = new SemaphoreSlim(_options.MaxConcurrentDeliveries);
        var inFlight = new HashSet<Task>();
        var reader = _queue.Reader;
        var batch = new List<Envelope>();
        // Draining continues after stoppingToken fires: accepted transactions are finished, not dropped.
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            batch.Clear();
            var count = 0;
            while (count < _options.DeliveryBatch && reader.TryRead(out var envelope))
            {
                batch.Add(envelope);
                count += envelope.Transactions.Count;
            }

            await concurrency.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            var delivery = Deliver(consumer, [.. batch], count, concurrency);
            lock (inFlight)
            {
                inFlight.Add(delivery);
            }

            _ = delivery.ContinueWith(t =>
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

    private async Task Deliver(ITransactionConsumer consumer, Envelope[] envelopes, int count, SemaphoreSlim concurrency)
    {
        try
        {
            IReadOnlyList<Transaction> transactions = envelopes.Length == 1 ? envelopes[0].Transactions : Concat(envelopes, count);
            // Scoring runs synchronously up to the ledger commit, so deliveries are scored in order.
            await consumer.ConsumeAsync(transactions, CancellationToken.None).ConfigureAwait(false);
            foreach (var envelope in envelopes)
            {
                envelope.Done.TrySetResult();
            }
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Delivery of {Count} transactions failed; their publishers are told to retry", count);
            foreach (var envelope in envelopes)
            {
                envelope.Done.TrySetException(e);
            }
        }
        finally
        {
            _gate.Release(count);
            FraudMetrics.QueueDepth.WithLabels("bus").Set(_gate.Used);
            concurrency.Release();
        }
    }

    private static List<Transaction> Concat(Envelope[] envelopes, int count)
    {
        var all = new List<Transaction>(count);
        foreach (var envelope in envelopes)
        {
            all.AddRange(envelope.Transactions);
        }

        return all;
    }

    private sealed class Envelope(IReadOnlyList<Transaction> transactions)
    {
        public IReadOnlyList<Transaction> Transactions { get; } = transactions;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
