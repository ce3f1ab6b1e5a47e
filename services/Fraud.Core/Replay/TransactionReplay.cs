using Fraud.Contracts;
using Fraud.Core.Features;

namespace Fraud.Core.Replay;

/// <summary>
/// Replays labelled transactions in time order exactly as the live detector sees them: labels that
/// have become known are applied first, then the transaction's features are computed from history,
/// then its own label starts its delay. Shared by train, score and backtest.
/// </summary>
public sealed class TransactionReplay(ITransactionObserver tracker, TimeSpan labelDelay)
{
    private readonly LabelDelayQueue _labels = new(labelDelay);
    private readonly Action<FraudLabel> _apply = tracker.ApplyLabel;

    public TimeSpan LabelDelay => _labels.Delay;

    public long Duplicates { get; private set; }

    /// <summary>Computes the row's features into <paramref name="features"/>; false for a duplicate row.</summary>
    public bool Step(in LabelledTransaction row, Span<float> features)
    {
        var tx = row.Transaction;
        _labels.ReleaseUntil(tx.Timestamp, _apply);
        var fresh = tracker.Observe(tx, features);
        if (!fresh)
        {
            Duplicates++;
            return false;
        }

        if (row.IsFraud is { } isFraud)
        {
            _labels.Add(new FraudLabel(tx.TransactionId, tx.AccountId, tx.MerchantId, tx.Timestamp, isFraud));
        }

        return true;
    }
}
