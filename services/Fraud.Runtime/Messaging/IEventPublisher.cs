using Fraud.Contracts;

namespace Fraud.Runtime.Messaging;

/// <summary>The other topics: alerts on <c>anomalies</c>, verdicts on <c>feedback</c>, and dead letters.</summary>
public interface IEventPublisher
{
    /// <summary>At least once: consumers de-duplicate on <c>transactionId</c>.</summary>
    Task PublishAnomaliesAsync(IReadOnlyList<Anomaly> anomalies, CancellationToken cancellationToken);

    Task PublishVerdictAsync(Verdict verdict, CancellationToken cancellationToken);

    Task PublishDeadLetterAsync(DeadLetter letter, CancellationToken cancellationToken);
}
