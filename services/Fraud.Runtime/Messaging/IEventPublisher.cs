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

/// <summary>
/// A message the detector could not use, as published on <c>transactions-deadletter</c>: the
/// original payload (text, or base64 when it was not UTF-8), why it was refused, and when.
/// </summary>
public sealed record DeadLetter(
    string Topic,
    string? EntryId,
    string Payload,
    IReadOnlyList<FieldError> Errors,
    DateTimeOffset ReceivedAt);
