using System.Diagnostics;
using System.Threading.Channels;
using Fraud.Contracts;
using Fraud.Runtime.Hosting;
using Fraud.Runtime.Observability;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fraud.Runtime.Ledger;

/// <summary>
/// Group commit in front of the ledger: writers hand over rows and wait; one loop gathers whatever
/// is waiting (up to <see cref="LedgerOptions.MaxBatchRows"/>) into one transaction, so the batch
/// grows by itself under load and a lone row is committed at once. Bounded by
/// <see cref="LedgerOptions.MaxPendingRows"/>. On shutdown it commits everything accepted, and it
/// stops last (<see cref="IHostedLifecycleService.StoppedAsync"/>, after every hosted service's
/// <c>StopAsync</c>), so whatever drains deliveries on shutdown can still commit, in any registration order.
/// </summary>
public sealed class LedgerWriter(ILedger ledger, IOptions<LedgerOptions> options, ILogger<LedgerWriter> logger) : BackgroundService, IHostedLifecycleService
{
    private static readonly TimeSpan AdmissionTimeout = TimeSpan.FromSeconds(30);

    private readonly Channel<Pending> _queue = System.Threading.Channels.Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CapacityGate _gate = new(options.Value.MaxPendingRows);
    private readonly int _maxBatch = options.Value.MaxBatchRows;
    private readonly ThrottledLog _failureLog = new(TimeSpan.FromSeconds(10));
    private CommitFailure? _lastFailure;
    private long _committedRows;

    /// <summary>Rows accepted and not yet committed.</summary>
    public long PendingRows => _gate.Used;

    /// <summary>Rows this process has committed since it started (rows already in the ledger not counted).</summary>
    public long CommittedRows => Interlocked.Read(ref _committedRows);

    /// <summary>Completes when the rows are committed; throws when the commit failed (nothing of it was written).</summary>
    public async Task WriteAsync(IReadOnlyList<ScoredTransaction> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        if (!await _gate.AcquireAsync(rows.Count, AdmissionTimeout, cancellationToken).ConfigureAwait(false))
        {
            RuntimeMetrics.Backpressure.Inc();
            throw new Messaging.BackpressureException($"the ledger is {_gate.Used:N0} rows behind", TimeSpan.FromSeconds(1));
        }

        var pending = new Pending(rows);
        if (!_queue.Writer.TryWrite(pending))
        {
            _gate.Release(rows.Count);
            throw new InvalidOperationException("The ledger writer has stopped.");
        }

        RuntimeMetrics.QueueDepth.WithLabels("ledger").Set(_gate.Used);
        await pending.Committed.Task.ConfigureAwait(false);
    }

    public override Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        var group = new List<Pending>();
        var rows = new List<ScoredTransaction>(_maxBatch);
        // Keeps committing after stoppingToken: accepted rows are acknowledged work.
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            group.Clear();
            rows.Clear();
            while (rows.Count < _maxBatch && reader.TryRead(out var pending))
            {
                group.Add(pending);
                rows.AddRange(pending.Rows);
            }

            await CommitAsync(group, rows).ConfigureAwait(false);
        }
    }

    private async Task CommitAsync(List<Pending> group, List<ScoredTransaction> rows)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            Interlocked.Add(ref _committedRows, await ledger.WriteAsync(rows, CancellationToken.None).ConfigureAwait(false));
            RuntimeMetrics.LedgerBatchSize.Observe(rows.Count);
            RuntimeMetrics.LedgerBatchDuration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
            Volatile.Write(ref _lastFailure, null);
            foreach (var pending in group)
            {
                pending.Committed.TrySetResult();
            }
        }
        catch (Exception e)
        {
            RuntimeMetrics.LedgerFailures.Inc();
            Volatile.Write(ref _lastFailure, new CommitFailure(e.Message, Environment.TickCount64));
            if (_failureLog.ShouldLog(out var suppressed))
            {
                logger.LogError(e, "Ledger commit of {Rows} rows failed ({Suppressed} more failed commits since the last one logged); their deliveries will be retried", rows.Count, suppressed);
            }

            foreach (var pending in group)
            {
                pending.Committed.TrySetException(e);
            }
        }
        finally
        {
            _gate.Release(rows.Count);
            RuntimeMetrics.QueueDepth.WithLabels("ledger").Set(_gate.Used);
        }
    }

    /// <summary>
    /// Why the last group commit failed, while no commit has succeeded since and for at most
    /// <see cref="FailureMemory"/> (without traffic no commit can clear it; then the ledger's own
    /// check decides again). Null when commits go through.
    /// </summary>
    public string? RecentFailure =>
        Volatile.Read(ref _lastFailure) is { } failure && Environment.TickCount64 - failure.AtTicks < (long)FailureMemory.TotalMilliseconds
            ? failure.Message
            : null;

    public static readonly TimeSpan FailureMemory = TimeSpan.FromSeconds(60);

    private sealed record CommitFailure(string Message, long AtTicks);

    private sealed class Pending(IReadOnlyList<ScoredTransaction> rows)
    {
        public IReadOnlyList<ScoredTransaction> Rows { get; } = rows;

        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
