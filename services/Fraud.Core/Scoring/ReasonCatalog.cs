using System.Globalization;
using Fraud.Contracts;
using Fraud.Core.Features;

namespace Fraud.Core.Scoring;

/// <summary>
/// Groups features into the reasons an analyst reads: model contributions are summed per group and
/// the group's sentence is written from the feature values behind it.
/// </summary>
internal static class ReasonCatalog
{
    public static readonly string[] Codes =
    [
        "AMOUNT_UNUSUAL", "VELOCITY", "CARD_TESTING", "TIME_OF_DAY", "CHANNEL", "ACCOUNT_NEW",
        "ACCOUNT_FRAUD_HISTORY", "NEW_MERCHANT", "NEW_DEVICE", "NEW_COUNTRY", "GEO_VELOCITY",
        "MERCHANT_RISK", "MERCHANT_ACTIVITY", "NEW_CATEGORY", "CATEGORY_AMOUNT", "CATEGORY_RISK",
    ];

    private static readonly int[] GroupOfFeature = BuildGroups();

    public static int GroupOf(int feature) => GroupOfFeature[feature];

    /// <summary>
    /// Whether the facts behind a group support it as a reason: a model can weigh a feature up when its
    /// value is ordinary (a known device, an afternoon hour), and a reason that says "known device" or
    /// names a missing value would tell the analyst something false or nothing at all.
    /// </summary>
    public static bool Supported(int group, ReadOnlySpan<float> f, Transaction tx) => Codes[group] switch
    {
        "AMOUNT_UNUSUAL" => IsMissing(f, Feature.AmountToMean30d) || f.Get(Feature.AmountToMean30d) >= 1.5f || f.Get(Feature.AmountRankRecent) >= 1f,
        "VELOCITY" => f.Get(Feature.AccountCount1h) + 1 >= 3 || (!IsMissing(f, Feature.AccountCount1d) && f.Get(Feature.AccountCount1d) >= Math.Max(3f, 3 * Daily(f))),
        "CARD_TESTING" => f.Get(Feature.AccountSmallCount1h) >= 2,
        "TIME_OF_DAY" => f.Get(Feature.IsNight) == 1f || f.Get(Feature.AccountHourDeviation) > 0.5f,
        "CHANNEL" => tx.Channel is not null,
        "ACCOUNT_NEW" => !IsMissing(f, Feature.AccountHistoryCount) && (f.Get(Feature.AccountHistoryCount) < 5 || f.Get(Feature.AccountAgeDays) < 7),
        "ACCOUNT_FRAUD_HISTORY" => !IsMissing(f, Feature.AccountDaysSinceKnownFraud),
        "NEW_MERCHANT" => tx.MerchantId is not null && f.Get(Feature.NewMerchantForAccount) == 1f,
        "NEW_DEVICE" => tx.DeviceId is not null && f.Get(Feature.NewDeviceForAccount) == 1f,
        "NEW_COUNTRY" => tx.Country is not null && f.Get(Feature.NewCountryForAccount) == 1f,
        "GEO_VELOCITY" => FarFromPrevious(f) || FarFromHome(f),
        "MERCHANT_RISK" => tx.MerchantId is not null && !IsMissing(f, Feature.MerchantKnownFrauds30d) && f.Get(Feature.MerchantKnownFrauds30d) > 0,
        "MERCHANT_ACTIVITY" => tx.MerchantId is not null && !IsMissing(f, Feature.MerchantCount1h) && !IsMissing(f, Feature.MerchantCount7d)
            && f.Get(Feature.MerchantCount1h) >= Math.Max(3f, 2 * f.Get(Feature.MerchantCount7d) / 168f),
        "NEW_CATEGORY" => tx.MerchantCategory is not null && f.Get(Feature.NewCategoryForAccount) == 1f,
        "CATEGORY_AMOUNT" => tx.MerchantCategory is not null && !IsMissing(f, Feature.AmountToAccountCategoryMean) && f.Get(Feature.AmountToAccountCategoryMean) >= 2f,
        "CATEGORY_RISK" => tx.MerchantCategory is not null && !IsMissing(f, Feature.CategoryRisk30d) && f.Get(Feature.CategoryRisk30d) > 0f,
        _ => false,
    };

    /// <summary>The sentence of a <see cref="Supported"/> group, from the values behind it.</summary>
    public static string Detail(int group, ReadOnlySpan<float> f, Transaction tx) => Codes[group] switch
    {
        "AMOUNT_UNUSUAL" => Amount(f, tx),
        "VELOCITY" => Format($"{Wording.Count(f.Get(Feature.AccountCount1h) + 1, "transaction")} within the hour, {f.Get(Feature.AccountCount1d):0.#} in the last day (usually {Daily(f):0.#} a day)"),
        "CARD_TESTING" => Format($"{Wording.Count(f.Get(Feature.AccountSmallCount1h), "small transaction")} within the hour before this one"),
        "TIME_OF_DAY" => Format($"at {tx.Timestamp.UtcDateTime:HH:mm} UTC, {(f.Get(Feature.AccountHourDeviation) > 0.5f ? "an unusual hour for this account" : "at night")}"),
        "CHANNEL" => f.Get(Feature.NewChannelForAccount) == 1f
            ? $"first {ChannelName(tx.Channel)} transaction among the account's recent ones"
            : $"channel {ChannelName(tx.Channel)}",
        "ACCOUNT_NEW" => Format($"a new account: {Wording.Count(f.Get(Feature.AccountHistoryCount), "earlier transaction")} over {Wording.Count(f.Get(Feature.AccountAgeDays), "day")}"),
        "ACCOUNT_FRAUD_HISTORY" => $"confirmed fraud on this account {Wording.DaysAgo(f.Get(Feature.AccountDaysSinceKnownFraud))}",
        "NEW_MERCHANT" => $"first transaction at merchant {tx.MerchantId} among the account's recent ones",
        "NEW_DEVICE" => $"device {tx.DeviceId} not seen before on this account",
        "NEW_COUNTRY" => $"first transaction in {tx.Country} for this account",
        "GEO_VELOCITY" => FarFromPrevious(f)
            ? Format($"{f.Get(Feature.DistanceFromPreviousKm):N0} km from the previous transaction ({f.Get(Feature.SpeedFromPreviousKmh):N0} km/h)")
            : Format($"{f.Get(Feature.DistanceFromHomeKm):N0} km from where this account usually pays"),
        "MERCHANT_RISK" => MerchantRisk(f, tx),
        "MERCHANT_ACTIVITY" => Format($"merchant {tx.MerchantId}: {Wording.Count(f.Get(Feature.MerchantCount1h), "transaction")} in the last hour, {f.Get(Feature.MerchantCount7d) / 168f:0.#} an hour usually"),
        "NEW_CATEGORY" => $"first transaction in category {tx.MerchantCategory} among the account's recent ones",
        "CATEGORY_AMOUNT" => Format($"amount {tx.Amount:0.00} is {f.Get(Feature.AmountToAccountCategoryMean):0.0}× the account's usual {tx.MerchantCategory} amount of {(float)tx.Amount / f.Get(Feature.AmountToAccountCategoryMean):0.00}"),
        "CATEGORY_RISK" => Format($"category {tx.MerchantCategory}: {f.Get(Feature.CategoryRisk30d):0.0%} of its settled transactions were fraud"),
        _ => Codes[group],
    };

    private static bool IsMissing(ReadOnlySpan<float> f, Feature feature) => FeatureVector.IsMissing(f.Get(feature));

    // Farther than a day's drive at airliner speed, or farther than a car could go since the previous one.
    private static bool FarFromPrevious(ReadOnlySpan<float> f) =>
        !IsMissing(f, Feature.DistanceFromPreviousKm) && !IsMissing(f, Feature.SpeedFromPreviousKmh)
        && f.Get(Feature.DistanceFromPreviousKm) >= 100 && f.Get(Feature.SpeedFromPreviousKmh) >= 200;

    private static bool FarFromHome(ReadOnlySpan<float> f) => !IsMissing(f, Feature.DistanceFromHomeKm) && f.Get(Feature.DistanceFromHomeKm) >= 500;

    private static string Amount(ReadOnlySpan<float> f, Transaction tx)
    {
        var ratio = f.Get(Feature.AmountToMean30d);
        if (FeatureVector.IsMissing(ratio))
        {
            return Format($"amount {tx.Amount:0.00} on an account without history");
        }

        var text = Format($"amount {tx.Amount:0.00} is {ratio:0.0}× the account's 30-day average of {f.Get(Feature.AccountMeanAmount30d):0.00}");
        return f.Get(Feature.AmountRankRecent) >= 1f ? text + ", the largest of its recent transactions" : text;
    }

    private static string MerchantRisk(ReadOnlySpan<float> f, Transaction tx)
    {
        var risk = Math.Max(f.Get(Feature.MerchantRisk7d), f.Get(Feature.MerchantRisk30d));
        var share = FeatureVector.IsMissing(risk) ? string.Empty : Format($"; {risk:P0} of its settled transactions were fraud");
        return $"merchant {tx.MerchantId}: {Wording.Count(f.Get(Feature.MerchantKnownFrauds30d), "confirmed fraud")} in 30 days, the last {Wording.DaysAgo(f.Get(Feature.MerchantDaysSinceKnownFraud))}{share}";
    }

    private static float Daily(ReadOnlySpan<float> f) => Math.Max(f.Get(Feature.AccountCount30d), 0f) / 30f;

    private static string ChannelName(Channel? channel) => channel is { } c ? WireNames.Name(c) : "unknown";

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static int[] BuildGroups()
    {
        var groups = new int[FeatureVector.Length];
        for (var i = 0; i < groups.Length; i++)
        {
            groups[i] = Array.IndexOf(Codes, CodeOf((Feature)i));
        }

        return groups;
    }

    private static string CodeOf(Feature feature) => feature switch
    {
        Feature.Amount or Feature.AccountMeanAmount1d or Feature.AccountMeanAmount7d or Feature.AccountMeanAmount30d
            or Feature.AccountMaxAmount7d or Feature.AccountMaxAmount30d or Feature.AmountToMean30d or Feature.AmountToMean7d
            or Feature.AmountToRecentMedian or Feature.AmountToRecentLowerQuartile or Feature.AmountToMax30d or Feature.AmountZScore30d or Feature.AmountRankRecent
            or Feature.AmountToMerchantMean or Feature.AmountToCategoryMean => "AMOUNT_UNUSUAL",
        Feature.AccountSecondsSincePrevious or Feature.AccountCount1h or Feature.AccountCount1d or Feature.AccountCount7d
            or Feature.AccountCount30d or Feature.AccountAmountSum1h or Feature.AccountBurst1dVs30d => "VELOCITY",
        Feature.AccountSmallCount1h => "CARD_TESTING",
        Feature.HourOfDay or Feature.IsNight or Feature.IsWeekend or Feature.AccountHourDeviation => "TIME_OF_DAY",
        Feature.Channel or Feature.NewChannelForAccount => "CHANNEL",
        Feature.AccountHistoryCount or Feature.AccountAgeDays => "ACCOUNT_NEW",
        Feature.AccountKnownFraud30d or Feature.AccountDaysSinceKnownFraud => "ACCOUNT_FRAUD_HISTORY",
        Feature.NewMerchantForAccount => "NEW_MERCHANT",
        Feature.NewDeviceForAccount => "NEW_DEVICE",
        Feature.NewCountryForAccount => "NEW_COUNTRY",
        Feature.DistanceFromPreviousKm or Feature.SpeedFromPreviousKmh or Feature.DistanceFromHomeKm => "GEO_VELOCITY",
        Feature.MerchantRisk1d or Feature.MerchantRisk7d or Feature.MerchantRisk30d or Feature.MerchantKnownFrauds30d
            or Feature.MerchantDaysSinceKnownFraud or Feature.MerchantDaysSinceFirstKnownFraud or Feature.MerchantSettledFraudShare
            or Feature.MerchantLastSettledIsFraud => "MERCHANT_RISK",
        Feature.MerchantCount1h or Feature.MerchantCount1d or Feature.MerchantCount7d or Feature.MerchantCount30d
            or Feature.MerchantBurst1hVs7d => "MERCHANT_ACTIVITY",
        Feature.NewCategoryForAccount => "NEW_CATEGORY",
        Feature.AmountToAccountCategoryMean => "CATEGORY_AMOUNT",
        Feature.CategoryRisk30d => "CATEGORY_RISK",
        _ => throw new InvalidOperationException($"Feature {feature} has no reason group."),
    };
}
