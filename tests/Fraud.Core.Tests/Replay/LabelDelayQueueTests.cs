using Fraud.Contracts;
using Fraud.Core.Replay;

namespace Fraud.Core.Tests.Replay;

public class LabelDelayQueueTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void LabelsAreReleasedExactlyWhenTheDelayHasPassedInOrder()
    {
        var queue = new LabelDelayQueue(TimeSpan.FromDays(7));
        queue.Add(new FraudLabel("b", "a", null, T0.AddHours(2), true));
        queue.Add(new FraudLabel("a", "a", null, T0, true));
        queue.Add(new FraudLabel("legit", "a", null, T0, false));
        var released = new List<string>();

        Assert.Equal(0, queue.ReleaseUntil(T0.AddDays(7).AddTicks(-1), l => released.Add(l.TransactionId)));
        Assert.Equal(1, queue.ReleaseUntil(T0.AddDays(7), l => released.Add(l.TransactionId)));
        Assert.Equal(1, queue.ReleaseUntil(T0.AddDays(8), l => released.Add(l.TransactionId)));
        Assert.Equal(["a", "b"], released);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void NegativeDelayIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LabelDelayQueue(TimeSpan.FromDays(-1)));
    }
}
