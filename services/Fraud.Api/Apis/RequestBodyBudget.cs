namespace Fraud.Api.Apis;

/// <summary>
/// The bytes of request bodies held at once, across every request: a body is refused with 503 before
/// it is buffered when the budget is spent, so memory is bounded by configuration, not by how many
/// callers send (or trickle) large bodies at once. The bytes stay taken until the request ends, which
/// also bounds the parsed transactions each buffered body turns into.
/// </summary>
public sealed class RequestBodyBudget(long limit)
{
    private long _taken;

    public long Limit { get; } = limit;

    public long Taken => Volatile.Read(ref _taken);

    public bool TryTake(long bytes)
    {
        while (true)
        {
            var taken = Volatile.Read(ref _taken);
            if (taken + bytes > Limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _taken, taken + bytes, taken) == taken)
            {
                return true;
            }
        }
    }

    public void Return(long bytes) => Interlocked.Add(ref _taken, -bytes);
}
