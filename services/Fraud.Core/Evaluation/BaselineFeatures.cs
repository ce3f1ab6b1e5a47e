using Fraud.Contracts;
using Fraud.Core.Features;

namespace Fraud.Core.Evaluation;

/// <summary>
/// The account-history features a gradient-boosted model is commonly given on card data, the
/// yardstick of <c>fraud backtest --baseline</c>: the account's transaction counts and mean amounts
/// over 1, 7 and 30 days, the time since its previous transaction, whether the merchant and the
/// merchant category are new to it, and the merchant's transaction count and fraud rate over the
/// 1, 7 and 30 days before the label delay (only labels that have arrived count), as the
/// handbook's terminal risk features are. Kept apart from the engine's own features so that the
/// comparison says what they add.
/// </summary>
/// <remarks>
/// Exact sliding windows, so memory grows with the transactions of the last 30 days plus the label
/// delay: an evaluation tool, not a detector. Feed rows in time order: <see cref="Extract"/>
/// describes a transaction from what came before it, then records it.
/// </remarks>
public sealed class BaselineFeatures(TimeSpan labelDelay)
{
    public static readonly IReadOnlyList<string> Names =
    [
        "amount",
        "account_count_1d", "account_mean_amount_1d",
        "account_count_7d", "account_mean_amount_7d",
        "account_count_30d", "account_mean_amount_30d",
        "hours_since_previous",
        "new_merchant", "new_category",
        "merchant_settled_count_1d", "merchant_settled_fraud_rate_1d",
        "merchant_settled_count_7d", "merchant_settled_fraud_rate_7d",
        "merchant_settled_count_30d", "merchant_settled_fraud_rate_30d",
    ];

    private static readonly TimeSpan Window = TimeSpan.FromDays(30);
    private static readonly TimeSpan[] Windows = [TimeSpan.FromDays(1), TimeSpan.FromDays(7), Window];

    private readonly Dictionary<string, AccountHistory> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MerchantHistory> _merchants = new(StringComparer.Ordinal);

    /// <summary>
    /// Writes the features of <paramref name="tx"/> into the first <see cref="Names"/> slots of
    /// <paramref name="into"/> (the rest <see cref="FeatureVector.Missing"/>), then records it with
    /// its label, which is read only once the label delay has passed.
    /// </summary>
    public void Extract(Transaction tx, bool isFraud, Span<float> into)
    {
        ArgumentNullException.ThrowIfNull(tx);
        if (into.Length < Names.Count)
        {
            throw new ArgumentException($"Room for {Names.Count} features is needed, {into.Length} given.", nameof(into));
        }

        into.Fill(FeatureVector.Missing);
        var now = tx.Timestamp;
        var amount = (double)tx.Amount;
        into[0] = (float)amount;

        if (!_accounts.TryGetValue(tx.AccountId, out var account))
        {
            account = new AccountHistory();
            _accounts.Add(tx.AccountId, account);
        }

        account.Forget(now - Window);
        for (var w = 0; w < Windows.Length; w++)
        {
            var (count, sum) = account.Since(now - Windows[w]);
            into[1 + (2 * w)] = count;
            into[2 + (2 * w)] = count == 0 ? FeatureVector.Missing : (float)(sum / count);
        }

        if (account.Last is { } last)
        {
            into[7] = (float)(now - last).TotalHours;
        }

        into[8] = tx.MerchantId is { Length: > 0 } m ? (account.Merchants.Add(m) ? 1 : 0) : FeatureVector.Missing;
        into[9] = tx.MerchantCategory is { Length: > 0 } c ? (account.Categories.Add(c) ? 1 : 0) : FeatureVector.Missing;
        account.Record(now, amount);

        if (tx.MerchantId is { Length: > 0 } merchantId)
        {
            if (!_merchants.TryGetValue(merchantId, out var merchant))
            {
                merchant = new MerchantHistory();
                _merchants.Add(merchantId, merchant);
            }

            merchant.Settle(now - labelDelay);
            for (var w = 0; w < Windows.Length; w++)
            {
                var (count, frauds) = merchant.Windows[w].Counts;
                into[10 + (2 * w)] = count;
                into[11 + (2 * w)] = count == 0 ? FeatureVector.Missing : frauds / (float)count;
            }

            merchant.Pending.Enqueue((now, isFraud));
        }
    }

    private sealed class AccountHistory
    {
        private readonly Queue<(DateTimeOffset Time, double Amount)> _recent = new();

        public DateTimeOffset? Last { get; private set; }

        public HashSet<string> Merchants { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Categories { get; } = new(StringComparer.Ordinal);

        public void Forget(DateTimeOffset before)
        {
            while (_recent.TryPeek(out var oldest) && oldest.Time < before)
            {
                _recent.Dequeue();
            }
        }

        public (int Count, double Sum) Since(DateTimeOffset from)
        {
            var count = 0;
            var sum = 0.0;
            foreach (var (time, amount) in _recent)
            {
                if (time >= from)
                {
                    count++;
                    sum += amount;
                }
            }

            return (count, sum);
        }

        public void Record(DateTimeOffset time, double amount)
        {
            _recent.Enqueue((time, amount));
            Last = time;
        }
    }

    private sealed class MerchantHistory
    {
        /// <summary>Transactions whose labels have not arrived yet, oldest first.</summary>
        public Queue<(DateTimeOffset Time, bool IsFraud)> Pending { get; } = new();

        /// <summary>The settled transactions of each of <see cref="BaselineFeatures.Windows"/>, counted as they come and go.</summary>
        public SettledWindow[] Windows { get; } = Array.ConvertAll(BaselineFeatures.Windows, span => new SettledWindow(span));

        /// <summary>Takes in the labels that arrived (transactions up to <paramref name="settledBefore"/>) and drops what left each window.</summary>
        public void Settle(DateTimeOffset settledBefore)
        {
            while (Pending.TryPeek(out var next) && next.Time <= settledBefore)
            {
                Pending.Dequeue();
                foreach (var window in Windows)
                {
                    window.Add(next);
                }
            }

            foreach (var window in Windows)
            {
                window.Forget(settledBefore - window.Span);
            }
        }
    }

    private sealed class SettledWindow(TimeSpan span)
    {
        private readonly Queue<(DateTimeOffset Time, bool IsFraud)> _rows = new();
        private int _frauds;

        public TimeSpan Span => span;

        public (int Count, int Frauds) Counts => (_rows.Count, _frauds);

        public void Add((DateTimeOffset Time, bool IsFraud) row)
        {
            _rows.Enqueue(row);
            _frauds += row.IsFraud ? 1 : 0;
        }

        public void Forget(DateTimeOffset before)
        {
            while (_rows.TryPeek(out var oldest) && oldest.Time < before)
            {
                _rows.Dequeue();
                _frauds -= oldest.IsFraud ? 1 : 0;
            }
        }
    }
}
