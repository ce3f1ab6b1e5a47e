using System.Threading.Channels;
using Fraud.Contracts;
using Fraud.Runtime.Hosting;
using Fraud.Runtime.Observability;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fraud.Runtime.Messaging.Embedded;

/// <summary>
/// The embedded runtime's topics, in process: the publishing side. <c>transactions</c> is a bounded
/// queue in front of the detector: a publish waits for room (backpressure), and completes when the
/// detector has scored the transactions and the ledger has committed them, so a 202 means durable.
/// <c>feedback</c> is a queue too, completed when the verdict is handled; <c>anomalies</c> has no
/// subscriber in process (the anomaly state is what the API reads); dead letters go to the log.
/// <see cref="EmbeddedDelivery"/> hands the queues to the registered handlers.
/// </summary>
public sealed class EmbeddedBus : ITransactionPublisher, IEventPublisher
{
    private readonly Channel<Delivery<Transaction>> _transactions =
        System.Threading.Channels.Channel.CreateUnbounded<Delivery<Transaction>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<Delivery<Verdict>> _verdicts =
        System.Threading.Channels.Channel.CreateUnbounded<Delivery<Verdict>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CapacityGate _gate;
    private readonly EmbeddedBusOptions _options;
    private readonly ILogger<EmbeddedBus> _logger;
    private volatile bool _closed;

    public EmbeddedBus(IOptions<EmbeddedBusOptions> options, ILogger<EmbeddedBus> logger)
    {
        _options = options.Value;
        _gate = new CapacityGate(_options.Capacity);
        _logger = logger;
    }

    /// <summary>Transactions published and not yet committed.</summary>
    public long Pending => _gate.Used;

    public long Capacity => _gate.Capacity;

    internal ChannelReader<Delivery<Transaction>> Transactions => _transactions.Reader;

    internal ChannelReader<Delivery<Verdict>> Verdicts => _verdicts.Reader;

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
            RuntimeMetrics.Backpressure.Inc();
            throw new BackpressureException(
                $"{_gate.Used:N0} transactions are waiting to be scored (capacity {_gate.Capacity:N0})", TimeSpan.FromSeconds(1));
        }

        var delivery = new Delivery<Transaction>(transactions);
        RuntimeMetrics.QueueDepth.WithLabels("bus").Set(_gate.Used);
        if (!_transactions.Writer.TryWrite(delivery))
        {
            Release(transactions.Count);
            throw new BackpressureException("the service is shutting down", TimeSpan.FromSeconds(5));
        }

        // The caller may stop waiting; the transactions are still processed.
        await delivery.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return PublishResult.AllAccepted(transactions.Count);
    }

    public Task PublishAnomaliesAsync(IReadOnlyList<Anomaly> anomalies, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task PublishVerdictAsync(Verdict verdict, CancellationToken cancellationToken)
    {
        var delivery = new Delivery<Verdict>([verdict]);
        if (_closed || !_verdicts.Writer.TryWrite(delivery))
        {
            throw new BackpressureException("the service is shutting down", TimeSpan.FromSeconds(5));
        }

        await delivery.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task PublishDeadLetterAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        _logger.LogWarning("Dead letter on {Topic} (entry {EntryId}): {Errors}", letter.Topic, letter.EntryId,
            string.Join("; ", letter.Errors.Select(e => $"{e.Path}: {e.Message}")));
        return Task.CompletedTask;
    }

    /// <summary>Refuses new work; what was accepted is still delivered.</summary>
    internal void Close()
    {
        _closed = true;
        _transactions.Writer.TryComplete();
        _verdicts.Writer.TryComplete();
    }

    internal void Release(int transactions)
    {
        _gate.Release(transactions);
        RuntimeMetrics.QueueDepth.WithLabels("bus").Set(_gate.Used);
    }
}
