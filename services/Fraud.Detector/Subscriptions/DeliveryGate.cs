namespace Fraud.Detector.Subscriptions;

/// <summary>
/// Graceful shutdown of the subscriptions: once the host is stopping, new deliveries are refused
/// (Dapr redelivers them elsewhere) and shutdown waits, up to the drain time, for the deliveries
/// already being scored and committed.
/// </summary>
public sealed class DeliveryGate
{
    private readonly Lock _lock = new();
    private int _inFlight;
    private TaskCompletionSource? _idle;

    public bool Draining { get; private set; }

    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _inFlight;
            }
        }
    }

    public IDisposable Enter()
    {
        lock (_lock)
        {
            _inFlight++;
        }

        return new Exit(this);
    }

    /// <summary>Refuses new deliveries from now on.</summary>
    public void BeginDrain() => Draining = true;

    /// <summary>Stops taking deliveries and waits until none is in flight or the timeout passes.</summary>
    public async Task<bool> DrainAsync(TimeSpan timeout)
    {
        Task idle;
        lock (_lock)
        {
            Draining = true;
            if (_inFlight == 0)
            {
                return true;
            }

            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            idle = _idle.Task;
        }

        return await Task.WhenAny(idle, Task.Delay(timeout)).ConfigureAwait(false) == idle;
    }

    private void Leave()
    {
        lock (_lock)
        {
            _inFlight--;
            if (_inFlight == 0)
            {
                _idle?.TrySetResult();
            }
        }
    }

    private sealed class Exit(DeliveryGate gate) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                gate.Leave();
            }
        }
    }
}
