namespace Fraud.Core.Features;

/// <summary>
/// The merchant profiles, and one profile per merchant category (kept the same way: volume, and
/// fraud known from labels that have arrived, credited through the merchant), shared by every
/// account shard of a process: a store is locked only to find a profile, and each profile is
/// locked while it is read and updated.
/// </summary>
public sealed class MerchantProfiles(ProfileOptions options)
{
    /// <summary>Category codes number in the hundreds (ISO 18245 has under a thousand); this bounds a producer that sends free text.</summary>
    private const int MaxCategories = 10_000;

    private readonly ProfileStore<MerchantProfile> _store = new(options.MaxMerchants, options.MerchantIdleEviction);
    private readonly ProfileStore<MerchantProfile> _categories = new(MaxCategories, options.MerchantIdleEviction);
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

    /// <summary>
    /// Merchant and category features of the transaction (missing for what it does not carry),
    /// then the transaction added to both (unless a redelivery or a peek).
    /// </summary>
    public void Observe(string? merchantId, in TransactionView tx, Span<float> features, bool add)
    {
        if (merchantId is { Length: > 0 })
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
                    profile.Category = tx.Category ?? profile.Category;
                }
            }
        }
        else
        {
            for (var i = (int)Feature.MerchantCount1h; i <= (int)Feature.MerchantLastSettledIsFraud; i++)
            {
                features[i] = FeatureVector.Missing;
            }
        }

        ObserveCategory(tx, features, add);
    }

    private void ObserveCategory(in TransactionView tx, Span<float> features, bool add)
    {
        if (tx.Category is not { } category)
        {
            features[(int)Feature.CategoryRisk30d] = FeatureVector.Missing;
            features[(int)Feature.AmountToCategoryMean] = FeatureVector.Missing;
            return;
        }

        MerchantProfile profile;
        lock (_categories)
        {
            profile = _categories.GetOrAdd(category, tx.Seconds);
        }

        // A category is profiled as a merchant is; two of its features are used.
        (float Risk30d, float AmountToMean) extracted;
        lock (profile)
        {
            extracted = profile.ExtractAsCategory(tx, _labelDelayDays);
            if (add)
            {
                profile.Add(tx);
            }
        }

        features[(int)Feature.CategoryRisk30d] = extracted.Risk30d;
        features[(int)Feature.AmountToCategoryMean] = extracted.AmountToMean;
    }

    /// <summary>Credits a fraud that has become known to its merchant, and to the merchant's category.</summary>
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

        string? category;
        lock (profile)
        {
            profile.AddKnownFraud(transactionSeconds, transactionHash);
            category = profile.Category;
        }

        if (category is null)
        {
            return;
        }

        lock (_categories)
        {
            if (!_categories.TryGet(category, out profile))
            {
                return;
            }
        }

        lock (profile)
        {
            profile.AddKnownFraud(transactionSeconds, transactionHash);
        }
    }
}
