using System.Globalization;
using Fraud.Contracts;
using Fraud.Core.Features;

namespace Fraud.Core.Rules;

/// <summary>The built-in rules, configured by <see cref="RuleOptions"/>. Immutable and thread-safe.</summary>
public sealed class RuleSet
{
    private readonly Rule[] _rules;

    public RuleSet(IEnumerable<Rule> rules)
    {
        _rules = rules.Where(r => r.Boost > 0).ToArray();
    }

    public IReadOnlyList<Rule> Rules => _rules;

    public static RuleSet Default(RuleOptions? options = null)
    {
        var o = options ?? new RuleOptions();
        o.Validate();
        return new RuleSet(
        [
            new Rule("AMOUNT_SPIKE", "Amount far above the account's usual", o.AmountSpikeBoost,
                f => f.Get(Feature.AccountHistoryCount) >= o.AmountSpikeMinHistory
                     && f.Get(Feature.AmountToRecentMedian) >= o.AmountSpikeRatio,
                (f, tx) => Format($"amount {tx.Amount:0.00} is {f.Get(Feature.AmountToRecentMedian):0.0}× the account's recent median"),
                // Graded: ln of how far past the ratio, so 5× adds the boost and 5e× one more, up to the cap.
                f => Math.Min(o.AmountSpikeMaxExtraBoost, Math.Log(f.Get(Feature.AmountToRecentMedian) / o.AmountSpikeRatio))),
            new Rule("NEW_MERCHANT", "Merchant new to the account", o.NewMerchantBoost,
                f => f.Get(Feature.AccountHistoryCount) >= o.NoveltyMinHistory && f.Get(Feature.NewMerchantForAccount) == 1f,
                (_, tx) => $"no purchase at merchant {tx.MerchantId} in this account's recent history before the last hour"),
            new Rule("NEW_COUNTRY", "Country new to the account", o.NewCountryBoost,
                f => f.Get(Feature.AccountHistoryCount) >= o.NoveltyMinHistory && f.Get(Feature.NewCountryForAccount) == 1f
                     && f.Get(Feature.NewDeviceForAccount) != 1f,
                (_, tx) => $"{tx.Country} is new for this account: not among the countries it is known to use (seen on two separate days, or in a purchase reviewed as a false positive)"),
            new Rule("UNUSUAL_HOUR", "Night-time activity unusual for the account", o.UnusualHourBoost,
                f => f.Get(Feature.AccountHistoryCount) >= o.NoveltyMinHistory && f.Get(Feature.IsNight) == 1f
                     && f.Get(Feature.AccountHourDeviation) >= 0.5f,
                (_, tx) => Format($"at {tx.Timestamp.UtcDateTime:HH:mm} UTC, at night, far from the hours this account usually pays at")),
            new Rule("VELOCITY", "Many transactions in the last hour", o.VelocityBoost,
                f => f.Get(Feature.AccountCount1h) + 1 >= o.VelocityPerHour,
                (f, _) => $"{Scoring.Wording.Count(f.Get(Feature.AccountCount1h) + 1, "transaction")} on this account within an hour"),
            new Rule("CARD_TESTING", "Burst of small amounts", o.CardTestingBoost,
                f => f.Get(Feature.AccountSmallCount1h) >= o.CardTestingSmallPerHour,
                (f, _) => $"{Scoring.Wording.Count(f.Get(Feature.AccountSmallCount1h), "small transaction")} within the hour before this one (card testing)"),
            new Rule("IMPOSSIBLE_TRAVEL", "Travel faster than an airliner", o.ImpossibleTravelBoost,
                f => f.Get(Feature.SpeedFromPreviousKmh) >= o.ImpossibleTravelKmh
                     && f.Get(Feature.DistanceFromPreviousKm) >= o.ImpossibleTravelMinKm,
                (f, _) => Format($"{f.Get(Feature.DistanceFromPreviousKm):N0} km from the previous transaction, {f.Get(Feature.SpeedFromPreviousKmh):N0} km/h")),
            new Rule("NEW_DEVICE_AND_COUNTRY", "New device in a new country", o.NewDeviceAndCountryBoost,
                f => f.Get(Feature.NewDeviceForAccount) == 1f && f.Get(Feature.NewCountryForAccount) == 1f,
                (_, tx) => $"device {tx.DeviceId} and country {tx.Country}, both new for this account"),
            new Rule("MERCHANT_COMPROMISED", "Merchant with recent confirmed fraud", o.MerchantCompromisedBoost,
                f => f.Get(Feature.MerchantKnownFrauds30d) >= o.MerchantCompromisedFrauds
                     && Math.Max(f.Get(Feature.MerchantRisk7d), f.Get(Feature.MerchantRisk30d)) >= o.MerchantCompromisedRisk,
                (f, tx) => Format($"merchant {tx.MerchantId} had {Scoring.Wording.Count(f.Get(Feature.MerchantKnownFrauds30d), "confirmed fraud")} in 30 days ({Math.Max(f.Get(Feature.MerchantRisk7d), f.Get(Feature.MerchantRisk30d)):P0} of its settled transactions)")),
            new Rule("ACCOUNT_RECENT_FRAUD", "Account with recent confirmed fraud", o.AccountRecentFraudBoost,
                f => f.Get(Feature.AccountKnownFraud30d) >= 0.5f,
                (f, _) => $"confirmed fraud on this account {Scoring.Wording.DaysAgo(f.Get(Feature.AccountDaysSinceKnownFraud))}"),
        ]);
    }

    /// <summary>Sum of the boosts of the rules that fire.</summary>
    public double Boost(ReadOnlySpan<float> features)
    {
        var boost = 0.0;
        foreach (var rule in _rules)
        {
            if (rule.Condition(features))
            {
                boost += rule.BoostFor(features);
            }
        }

        return boost;
    }

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
