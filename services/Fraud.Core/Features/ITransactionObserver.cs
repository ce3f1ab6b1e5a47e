using Fraud.Contracts;

namespace Fraud.Core.Features;

/// <summary>What a replay drives: features of each transaction from history, then labels as they become known.</summary>
public interface ITransactionObserver
{
    /// <summary>Writes the features and folds the transaction in; false for a redelivery.</summary>
    bool Observe(Transaction tx, Span<float> features);

    void ApplyLabel(FraudLabel label);
}
