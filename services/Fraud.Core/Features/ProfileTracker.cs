using Fraud.Contracts;

namespace Fraud.Core.Features;

/// <summary>
/// Online feature computation: each transaction's features from the account's and the merchant's
/// history as known at its time, then the transaction folded into both. The same code path serves
/// backtests, training and the live detector, so there is no train/serve skew.
/// Account updates are not thread-safe (one tracker per shard); the merchant profiles may be shared.
/// </summary>
public sealed class ProfileTracker : ITransactionObserver
{
    private readonly ProfileOptions _options;
    private readonly ProfileStore<AccountProfile> _accounts;

    public ProfileTracker(ProfileOptions options, MerchantProfiles? merchants = null)
    {
        options.Validate();
        _options = options;
        _accounts = new ProfileStore<AccountProfile>(options.MaxAccounts, options.AccountIdleEviction);
        Merchants = merchants ?? new MerchantProfiles(options);
    }

    public MerchantProfiles Merchants { get; }

    public int AccountCount => _accounts.Count;

    public long AccountsEvicted => _accounts.Evicted;

    /// <summary>
    /// Writes the transaction's features into <paramref name="features"/> (length
    /// <see cref="FeatureVector.Length"/>) and updates the profiles. Returns false for a redelivery
    /// of a transaction already counted; its features are still written but nothing is counted twice.
    /// </summary>
    public bool Observe(Transaction tx, Span<float> features)
    {
        var view = new TransactionView(tx);
        var account = _accounts.GetOrAdd(tx.AccountId, view.Seconds);
        var fresh = account.Observe(view, features, _options.SmallAmount);
        Merchants.Observe(tx.MerchantId, view, features, fresh);
        return fresh;
    }

    /// <summary>A label that has become known. Only frauds change the profiles.</summary>
    public void ApplyLabel(FraudLabel label)
    {
        if (!label.IsFraud)
        {
            return;
        }

        var seconds = TimeKey.Seconds(label.TransactionTime);
        var hash = StableHash.Of(label.TransactionId);
        if (_accounts.TryGet(label.AccountId, out var account))
        {
            account.AddKnownFraud(seconds, hash);
        }

        if (label.MerchantId is { Length: > 0 } merchantId)
        {
            Merchants.AddKnownFraud(merchantId, seconds, hash);
        }
    }
}
