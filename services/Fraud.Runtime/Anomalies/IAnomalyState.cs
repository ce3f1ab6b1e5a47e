using Fraud.Contracts;

namespace Fraud.Runtime.Anomalies;

/// <summary>
/// Recent anomalies by transaction id: the Dapr state store <c>anomalies</c> (Redis, with a TTL)
/// or the embedded bounded buffer. A cache in front of the ledger, which stays the record.
/// </summary>
public interface IAnomalyState
{
    Task SaveAsync(IReadOnlyList<Anomaly> anomalies, CancellationToken cancellationToken);

    /// <summary>Which of these ids the state holds now (one bulk read).</summary>
    Task<IReadOnlySet<string>> ExistingAsync(IReadOnlyList<string> transactionIds, CancellationToken cancellationToken);

    /// <summary>The anomaly, or null when it was never stored or its TTL has passed.</summary>
    Task<Anomaly?> GetAsync(string transactionId, CancellationToken cancellationToken);
}
