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

    private static readonly TimeSpan[] Windows = [TimeSpan.FromDays(1), TimeSpan.FromDays(7), TimeSpan.FromDays(30)];

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
        into[0] = (float)tx.Amount;

        if (!_accounts.TryGetValue(tx.AccountId, out var account))
        {
            account = new AccountHistory();
            _accounts.Add(tx.AccountId, account);
        }

        for (var w = 0; w < Windows.Length; w++)
        {
            account.Windows[w].Forget(now - Windows[w]);
            account.Windows[w].WriteTo(into, 1 + (2 * w));
            account.Windows[w].Add(now, tx.Amount);
        }

        if (account.Last is { } last)
        {
            into[7] = (float)(now - last).TotalHours;
        }

        account.Last = now;
        into[8] = tx.MerchantId is { Length: > 0 } m ? (account.Merchants.Add(m) ? 1 : 0) : FeatureVector.Missing;
        into[9] = tx.MerchantCategory is { Length: > 0 } c ? (account.Categories.Add(c) ? 1 : 0) : FeatureVector.Missing;

        if (tx.MerchantId is { Length: > 0 } merchantId)
        {
            if (!_merchants.TryGetValue(merchantId, out var merchant))
            {
                merchant = new MerchantHistory();
                _merchants.Add(merchantId, merchant);
            }

            // A transaction's label is known once the delay has passed: it then enters the windows.
            var settledBefore = now - labelDelay;
            while (merchant.Pending.TryPeek(out var next) && next.Time <= settledBefore)
            {
                merchant.Pending.Dequeue();
                foreach (var window in merchant.Windows)
                {
                    window.Add(next.Time, next.IsFraud ? 1 : 0);
                }
            }

            for (var w = 0; w < Windows.Length; w++)
            {
                merchant.Windows[w].Forget(settledBefore - Windows[w]);
                merchant.Windows[w].WriteTo(into, 10 + (2 * w));
            }

            merchant.Pending.Enqueue((now, isFraud));
        }
    }

    private static SlidingWindow[] NewWindows() => Array.ConvertAll(Windows, _ => new SlidingWindow());

    private sealed class AccountHistory
    {
        /// <summary>The account's amounts over each of <see cref="BaselineFeatures.Windows"/>.</summary>
        public SlidingWindow[] Windows { get; } = NewWindows();

        public DateTimeOffset? Last { get; set; }

        public HashSet<string> Merchants { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Categories { get; } = new(StringComparer.Ordinal);
    }

    private sealed class MerchantHistory
    {
        /// <summary>Transactions whose labels have not arrived yet, oldest first.</summary>
        public Queue<(DateTimeOffset Time, bool IsFraud)> Pending { get; } = new();

        /// <summary>The settled transactions' frauds (1 or 0) over each of <see cref="BaselineFeatures.Windows"/>.</summary>
        public SlidingWindow[] Windows { get; } = NewWindows();
    }

    /// <summary>Values entered at a time, forgotten once older than a bound, with their running count and sum (exact: decimal).</summary>
    private sealed class SlidingWindow
    {
        private readonly Queue<(DateTimeOffset Time, decimal Value)> _rows = new();
        private decimal _sum;

        public void Add(DateTimeOffset time, decimal value)
        {
            _rows.Enqueue((time, value));
            _sum += value;
        }

        public void Forget(DateTimeOffset before)
        {
            while (_rows.TryPeek(out var oldest) && oldest.Time < before)
            {
                _rows.Dequeue();
                _sum -= oldest.Value;
            }
        }

        /// <summary>The count at <paramref name="at"/> and the mean after it (missing when empty).</summary>
        public void WriteTo(Span<float> into, int at)
        {
            into[at] = _rows.Count;
            into[at + 1] = _rows.Count == 0 ? FeatureVector.Missing : (float)((double)_sum / _rows.Count);
        }
    }
}
