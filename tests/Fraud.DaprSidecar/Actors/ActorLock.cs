namespace Fraud.DaprSidecar.Actors;

/// <summary>
/// One actor's turn-based lock, from dapr pkg/actors/targets/app/lock/lock.go: requests queue in
/// arrival order (a ring of in-flight requests) and each runs only when it reaches the front, so
/// two calls to one actor never overlap; method calls and reminder deliveries share the queue.
/// With reentrancy on for the type, a request carrying the <c>Dapr-Reentrancy-Id</c> of a queued
/// request joins it (depth + 1, over <c>maxStackDepth</c> is an error) instead of queueing behind
/// it, and a request without the header gets a new id that goes on to the app
/// (<c>idFromRequest</c>). There is no timeout: a call waits for its turn as long as its caller does.
/// </summary>
internal sealed class ActorLock(bool reentrancyEnabled, int maxStackDepth)
{
    public const string ReentrancyHeader = "Dapr-Reentrancy-Id";

    private readonly Lock _gate = new();
    private readonly LinkedList<Inflight> _inflights = [];

    /// <summary>Waits for the turn; dispose the result to end it. Throws when the stack is too deep.</summary>
    public async Task<Turn> LockAsync(string? reentrancyId, CancellationToken cancellationToken)
    {
        Inflight flight;
        lock (_gate)
        {
            flight = Enter(reentrancyId);
        }

        try
        {
            await flight.Start.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Release(flight);
            throw;
        }

        return new Turn(this, flight);
    }

    /// <summary>lock.go <c>idFromRequest</c>: the id a request runs under, null when reentrancy is off.</summary>
    public string? ReentrancyId(string? fromRequest) =>
        !reentrancyEnabled ? null : string.IsNullOrEmpty(fromRequest) ? Guid.NewGuid().ToString() : fromRequest;

    // lock.go handleLock.
    private Inflight Enter(string? id)
    {
        if (id is null || !reentrancyEnabled || _inflights.Count == 0)
        {
            return Append(id ?? Guid.NewGuid().ToString());
        }

        foreach (var queued in _inflights)
        {
            if (queued.Id == id)
            {
                queued.Depth++;
                if (queued.Depth > maxStackDepth)
                {
                    queued.Depth--;
                    // pkg/messages ErrActorMaxStackDepthExceeded.
                    throw new ActorCallException("maximum stack depth exceeded");
                }

                return queued;
            }
        }

        return Append(id);
    }

    private Inflight Append(string id)
    {
        var flight = new Inflight(id);
        if (_inflights.Count == 0)
        {
            flight.Start.TrySetResult();
        }

        flight.Node = _inflights.AddLast(flight);
        return flight;
    }

    // lock.go LockRequest's release: the last turn of an in-flight request hands the lock to the next.
    // (A request cancelled while queued removes its own entry; daprd's RemoveFront would drop the front.)
    private void Release(Inflight flight)
    {
        lock (_gate)
        {
            flight.Depth--;
            if (flight.Depth > 0 || flight.Node?.List is null)
            {
                return;
            }

            var wasFront = _inflights.First == flight.Node;
            _inflights.Remove(flight.Node);
            if (wasFront)
            {
                _inflights.First?.Value.Start.TrySetResult();
            }
        }
    }

    internal sealed class Inflight(string id)
    {
        public string Id { get; } = id;

        public int Depth { get; set; } = 1;

        public TaskCompletionSource Start { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Inflight>? Node { get; set; }
    }

    internal sealed class Turn : IDisposable
    {
        private readonly ActorLock _owner;
        private Inflight? _flight;

        internal Turn(ActorLock owner, Inflight flight)
        {
            _owner = owner;
            _flight = flight;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _flight, null) is { } flight)
            {
                _owner.Release(flight);
            }
        }
    }
}

/// <summary>An actor call daprd fails before or instead of an answer from the app (ERR_ACTOR_INVOKE_METHOD).</summary>
public sealed class ActorCallException(string message) : Exception(message);
