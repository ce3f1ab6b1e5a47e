using Fraud.Contracts;

namespace Fraud.Runtime.Anomalies;

/// <summary>
/// Recent anomalies by transaction id: the Dapr state store <c>anomalies</c> (Redis, with a TTL)
/// or the embedded bounded buffer. A cache in front of the ledger, which stays the record.
/// </summary>
public interface IAnomalyState
{
    /// <summary>
    /// The detector's new anomalies. One whose transaction the state holds already is left as it is:
    /// that copy is from an earlier delivery of the same transaction (a redelivery, or a producer
    /// resending a batch) and may carry an analyst's review since, which a new open copy would undo.
    /// </summary>
    Task AddAsync(IReadOnlyList<Anomaly> anomalies, CancellationToken cancellationToken);

    /// <summary>An anomaly as the API just reviewed it: replaces the copy held, or stores it.</summary>
    Task ReplaceAsync(Anomaly anomaly, CancellationToken cancellationToken);

    /// <summary>The anomaly, or null when it was never stored or its TTL has passed.</summary>
    Task<Anomaly?> GetAsync(string transactionId, CancellationToken cancellationToken);
}
