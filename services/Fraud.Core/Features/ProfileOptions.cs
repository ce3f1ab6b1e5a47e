namespace Fraud.Core.Features;

/// <summary>Caps and parameters of the behaviour profiles. Validated at start-up.</summary>
public sealed class ProfileOptions
{
    /// <summary>The configuration section of the services (<c>Fraud__Profiles__MaxAccounts</c>, …).</summary>
    public const string Section = "Fraud:Profiles";

    /// <summary>Accounts tracked at most; beyond it the least recently active are evicted.</summary>
    public int MaxAccounts { get; set; } = 2_000_000;

    /// <summary>Merchants tracked at most; beyond it the least recently active are evicted.</summary>
    public int MaxMerchants { get; set; } = 500_000;

    /// <summary>An account with no transaction for this long is dropped (its windows are empty anyway).</summary>
    public TimeSpan AccountIdleEviction { get; set; } = TimeSpan.FromDays(60);

    /// <summary>A merchant with no transaction for this long is dropped.</summary>
    public TimeSpan MerchantIdleEviction { get; set; } = TimeSpan.FromDays(60);

    /// <summary>
    /// How long after a transaction its label (chargeback, review) is normally known. The merchant
    /// risk windows end this far back so their denominators only hold transactions whose fate is known.
    /// </summary>
    public TimeSpan LabelDelay { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Amounts at or below this count as "small" for card-testing detection.</summary>
    public double SmallAmount { get; set; } = 2.0;

    public void Validate()
    {
        if (MaxAccounts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAccounts), MaxAccounts, "must be at least 1");
        }

        if (MaxMerchants < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxMerchants), MaxMerchants, "must be at least 1");
        }

        if (AccountIdleEviction <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(AccountIdleEviction), AccountIdleEviction, "must be positive");
        }

        if (MerchantIdleEviction <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MerchantIdleEviction), MerchantIdleEviction, "must be positive");
        }

        if (LabelDelay < TimeSpan.Zero || LabelDelay.TotalDays > MerchantProfile.RingDays - 31)
        {
            throw new ArgumentOutOfRangeException(nameof(LabelDelay), LabelDelay, $"must be between 0 and {MerchantProfile.RingDays - 31} days");
        }

        if (SmallAmount <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(SmallAmount), SmallAmount, "must be positive");
        }
    }
}
