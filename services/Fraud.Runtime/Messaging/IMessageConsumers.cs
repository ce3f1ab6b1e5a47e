using Fraud.Core.Contracts;

namespace Fraud.Runtime.Messaging;

/// <summary>
/// The detector's handler of the <c>transactions</c> topic. The Dapr subscription endpoint and the
/// embedded bus both call it; it completes when the batch is scored and committed to the ledger.
/// </summary>
public interface ITransactionConsumer
{
    Task ConsumeAsync(IReadOnlyList<Transaction> transactions, CancellationToken cancellationToken);
}

/// <summary>The detector's handler of the <c>feedback</c> topic (analyst verdicts).</summary>
public interface IVerdictConsumer
{
    Task ConsumeAsync(Verdict verdict, CancellationToken cancellationToken);
}

/// <summary>Subscribers to the <c>anomalies</c> topic inside the process (embedded runtime only).</summary>
public interface IAnomalyObserver
{
    void OnAnomalies(IReadOnlyList<Anomaly> anomalies);
}
