namespace Fraud.Core.Features;

/// <summary>
/// The merchant profiles, shared by every account shard of a process: the store is locked only to
/// find a profile, and each profile is locked while it is read and updated.
/// </summary>
public sealed class MerchantProfiles(ProfileOptions options)
{
    private readonly ProfileStore<MerchantProfile> _store = new(options.MaxMerchants, options.MerchantIdleEviction);
    private readonly int _labelDelayDays = (int)Math.Round(options.LabelDelay.TotalDays);

    public int Count
    {
        get
        {
            lock (_store)
            {
                return _store.Count;
            }
        }
    }

    public long Evicted
    {
        get
        {
            lock (_store)
            {
                return _store.Evicted;
            }
        }
    }

    /// <summary>Merchant features of the transaction, then the transaction added (unless a redelivery).</summary>
    public void Observe(string merchantId, in TransactionView tx, Span<float> features, bool add)
    {
        MerchantProfile profile;
        lock (_store)
        {
            profile = _store.GetOrAdd(merchantId, tx.Seconds);
        }

        lock (profile)
        {
            profile.Extract(tx, features, _labelDelayDays);
            if (add)
            {
                profile.Add(tx);
            }
        }
    }

    public void AddKnownFraud(string merchantId, int transactionSeconds, int transactionHash)
    {
        MerchantProfile? profile;
        lock (_store)
        {
            if (!_store.TryGet(merchantId, out profile))
            {
                return;
            }
        }

        lock (profile)
        {
            profile.AddKnownFraud(transactionSeconds, transactionHash);
        }
    }

    /// <summary>Fills the merchant features as missing, for transactions without a merchant.</summary>
    public static void ExtractAbsent(Span<float> features)
    {
        for (var i = (int)Feature.MerchantCount1h; i <= (int)Feature.MerchantLastSettledIsFraud; i++)
        {
            features[i] = FeatureVector.Missing;
        }
    }
}
