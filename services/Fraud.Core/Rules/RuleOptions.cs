namespace Fraud.Core.Rules;

/// <summary>
/// Thresholds of the built-in rules and the evidence each adds, in log-odds (+1 ≈ ×2.7 the odds).
/// Validated at start-up; a boost of 0 switches a rule off.
/// </summary>
public sealed class RuleOptions
{
    public const string Section = "Fraud:Rules";

    public double AmountSpikeRatio { get; set; } = 5;
    public int AmountSpikeMinHistory { get; set; } = 3;
    public double AmountSpikeBoost { get; set; } = 3.0;
    /// <summary>Most log-odds a spike adds beyond <see cref="AmountSpikeBoost"/>: ln(ratio / <see cref="AmountSpikeRatio"/>), capped.</summary>
    public double AmountSpikeMaxExtraBoost { get; set; } = 2.0;

    /// <summary>Transactions an account needs before a new merchant, country or hour counts as evidence.</summary>
    public int NoveltyMinHistory { get; set; } = 5;
    public double NewMerchantBoost { get; set; } = 1.0;
    public double NewCountryBoost { get; set; } = 1.5;
    public double UnusualHourBoost { get; set; } = 1.0;

    public int VelocityPerHour { get; set; } = 10;
    public double VelocityBoost { get; set; } = 2.5;

    public int CardTestingSmallPerHour { get; set; } = 4;
    public double CardTestingBoost { get; set; } = 4.0;

    public double ImpossibleTravelKmh { get; set; } = 900;
    public double ImpossibleTravelMinKm { get; set; } = 500;
    public double ImpossibleTravelBoost { get; set; } = 4.5;

    public double NewDeviceAndCountryBoost { get; set; } = 3.5;

    public int MerchantCompromisedFrauds { get; set; } = 2;
    public double MerchantCompromisedRisk { get; set; } = 0.2;
    public double MerchantCompromisedBoost { get; set; } = 3.0;

    public double AccountRecentFraudBoost { get; set; } = 2.5;

    public void Validate()
    {
        Check(AmountSpikeRatio > 1, nameof(AmountSpikeRatio), AmountSpikeRatio, "must be above 1");
        Check(AmountSpikeMinHistory >= 1, nameof(AmountSpikeMinHistory), AmountSpikeMinHistory, "must be at least 1");
        Check(NoveltyMinHistory >= 1, nameof(NoveltyMinHistory), NoveltyMinHistory, "must be at least 1");
        Check(VelocityPerHour >= 2, nameof(VelocityPerHour), VelocityPerHour, "must be at least 2");
        Check(CardTestingSmallPerHour >= 2, nameof(CardTestingSmallPerHour), CardTestingSmallPerHour, "must be at least 2");
        Check(ImpossibleTravelKmh > 0, nameof(ImpossibleTravelKmh), ImpossibleTravelKmh, "must be positive");
        Check(ImpossibleTravelMinKm >= 0, nameof(ImpossibleTravelMinKm), ImpossibleTravelMinKm, "must not be negative");
        Check(MerchantCompromisedFrauds >= 1, nameof(MerchantCompromisedFrauds), MerchantCompromisedFrauds, "must be at least 1");
        Check(MerchantCompromisedRisk is > 0 and <= 1, nameof(MerchantCompromisedRisk), MerchantCompromisedRisk, "must be in (0, 1]");
        foreach (var (name, boost) in new[]
                 {
                     (nameof(AmountSpikeBoost), AmountSpikeBoost), (nameof(AmountSpikeMaxExtraBoost), AmountSpikeMaxExtraBoost),
                     (nameof(NewMerchantBoost), NewMerchantBoost), (nameof(NewCountryBoost), NewCountryBoost),
                     (nameof(UnusualHourBoost), UnusualHourBoost), (nameof(VelocityBoost), VelocityBoost),
                     (nameof(CardTestingBoost), CardTestingBoost), (nameof(ImpossibleTravelBoost), ImpossibleTravelBoost),
                     (nameof(NewDeviceAndCountryBoost), NewDeviceAndCountryBoost),
                     (nameof(MerchantCompromisedBoost), MerchantCompromisedBoost), (nameof(AccountRecentFraudBoost), AccountRecentFraudBoost),
                 })
        {
            Check(boost is >= 0 and <= 20, name, boost, "must be in [0, 20]");
        }
    }

    private static void Check(bool ok, string name, object value, string message)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, value, message);
        }
    }
}
