using Fraud.Contracts;

namespace Fraud.Core.Replay;

/// <summary>
/// Labels from a file become known only <see cref="Delay"/> after their transaction, as chargebacks
/// do. The queue holds each fraud label until then; legitimate labels change no feature, so they
/// are not held at all.
/// </summary>
public sealed class LabelDelayQueue(TimeSpan delay)
{
    private readonly PriorityQueue<FraudLabel, long> _pending = new();

    public TimeSpan Delay { get; } = delay >= TimeSpan.Zero
        ? delay
        : throw new ArgumentOutOfRangeException(nameof(delay), delay, "must not be negative");

    public int Count => _pending.Count;

    public void Add(in FraudLabel label)
    {
        if (label.IsFraud)
        {
            _pending.Enqueue(label, (label.TransactionTime + Delay).UtcTicks);
        }
    }

    /// <summary>Hands every label known at <paramref name="now"/> (transaction time + delay ≤ now) to <paramref name="apply"/>.</summary>
    public int ReleaseUntil(DateTimeOffset now, Action<FraudLabel> apply)
    {
        var released = 0;
        var limit = now.UtcTicks;
        while (_pending.TryPeek(out var label, out var knownAt) && knownAt <= limit)
        {
            _pending.Dequeue();
            apply(label);
            released++;
        }

        return released;
    }
}
