namespace Fraud.Runtime.Hosting;

/// <summary>
/// Bounds how many items (transactions, rows) are in flight: <see cref="AcquireAsync"/> waits, in
/// arrival order, until the items fit, and gives up after a timeout so callers can answer 503
/// instead of queueing without bound. A request larger than the capacity waits for an empty gate.
/// </summary>
public sealed class CapacityGate(long capacity)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private long _used;

    public long Capacity => capacity;

    public long Used
    {
        get
        {
            lock (_lock)
            {
                return _used;
            }
        }
    }

    /// <summary>True when the items were admitted; false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> AcquireAsync(long count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Waiter waiter;
        LinkedListNode<Waiter> node;
        lock (_lock)
        {
            if (_waiters.Count == 0 && Fits(count))
            {
                _used += count;
                return true;
            }

            waiter = new Waiter(count);
            node = _waiters.AddLast(waiter);
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await waiter.Admitted.Task.WaitAsync(timeoutSource.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            lock (_lock)
            {
                if (waiter.Admitted.Task.IsCompleted)
                {
                    // Admitted while timing out: keep the admission.
                    return true;
                }

                _waiters.Remove(node);
                AdmitWaiters();
            }

            cancellationToken.ThrowIfCancellationRequested();
            return false;
        }
    }

    public void Release(long count)
    {
        lock (_lock)
        {
            _used = Math.Max(0, _used - count);
            AdmitWaiters();
        }
    }

    private bool Fits(long count) => _used + count <= capacity || _used == 0;

    private void AdmitWaiters()
    {
        while (_waiters.First is { } first && Fits(first.Value.Count))
        {
            _used += first.Value.Count;
            _waiters.RemoveFirst();
            first.Value.Admitted.TrySetResult();
        }
    }

    private sealed class Waiter(long count)
    {
        public long Count { get; } = count;

        public TaskCompletionSource Admitted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
