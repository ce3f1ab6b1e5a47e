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
        "MERCHANT_RISK", "MERCHANT_ACTIVITY",
    ];

    private static readonly int[] GroupOfFeature = BuildGroups();

    public static int GroupOf(int feature) => GroupOfFeature[feature];

    public static string Detail(int group, ReadOnlySpan<float> f, Transaction tx) => Codes[group] switch
    {
        "AMOUNT_UNUSUAL" => Amount(f, tx),
        "VELOCITY" => Format($"{f.Get(Feature.AccountCount1h) + 1:0} transactions within the hour, {f.Get(Feature.AccountCount1d):0.0} in the last day (usually {Daily(f):0.0} a day)"),
        "CARD_TESTING" => Format($"{f.Get(Feature.AccountSmallCount1h):0} small transactions within the hour before this one"),
        "TIME_OF_DAY" => Format($"at {tx.Timestamp.UtcDateTime:HH:mm} UTC{(f.Get(Feature.AccountHourDeviation) > 0.5f ? ", an unusual hour for this account" : string.Empty)}"),
        "CHANNEL" => $"channel {ChannelName(tx.Channel)}",
        "ACCOUNT_NEW" => Format($"account seen {f.Get(Feature.AccountHistoryCount):0} times over {f.Get(Feature.AccountAgeDays):0} days"),
        "ACCOUNT_FRAUD_HISTORY" => FeatureVector.IsMissing(f.Get(Feature.AccountDaysSinceKnownFraud))
            ? "no confirmed fraud on this account"
            : Format($"confirmed fraud on this account {f.Get(Feature.AccountDaysSinceKnownFraud):0} days ago"),
        "NEW_MERCHANT" => f.Get(Feature.NewMerchantForAccount) == 1f
            ? $"first transaction at merchant {tx.MerchantId} among the account's recent ones"
            : $"merchant {tx.MerchantId} is familiar to the account",
        "NEW_DEVICE" => f.Get(Feature.NewDeviceForAccount) == 1f ? $"device {tx.DeviceId} not seen before on this account" : $"known device {tx.DeviceId}",
        "NEW_COUNTRY" => f.Get(Feature.NewCountryForAccount) == 1f ? $"first transaction in {tx.Country} for this account" : $"usual country {tx.Country}",
        "GEO_VELOCITY" => FeatureVector.IsMissing(f.Get(Feature.DistanceFromPreviousKm))
            ? "no location history"
            : Format($"{f.Get(Feature.DistanceFromPreviousKm):N0} km from the previous transaction ({f.Get(Feature.SpeedFromPreviousKmh):N0} km/h), {Km(f.Get(Feature.DistanceFromHomeKm))} from home"),
        "MERCHANT_RISK" => MerchantRisk(f, tx),
        "MERCHANT_ACTIVITY" => Format($"merchant {tx.MerchantId}: {f.Get(Feature.MerchantCount1h):0.0} transactions in the last hour, {f.Get(Feature.MerchantCount7d) / 168f:0.0} an hour usually"),
        _ => Codes[group],
    };

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
        var frauds = f.Get(Feature.MerchantKnownFrauds30d);
        if (FeatureVector.IsMissing(frauds) || frauds <= 0)
        {
            return $"no confirmed fraud known at merchant {tx.MerchantId}";
        }

        var risk = Math.Max(f.Get(Feature.MerchantRisk7d), f.Get(Feature.MerchantRisk30d));
        var share = FeatureVector.IsMissing(risk) ? string.Empty : Format($"; {risk:P0} of its settled transactions were fraud");
        return Format($"merchant {tx.MerchantId}: {frauds:0} confirmed frauds in 30 days, the last {f.Get(Feature.MerchantDaysSinceKnownFraud):0} days ago{share}");
    }

    private static float Daily(ReadOnlySpan<float> f) => Math.Max(f.Get(Feature.AccountCount30d), 0f) / 30f;

    private static string Km(float km) => FeatureVector.IsMissing(km) ? "unknown distance" : Format($"{km:N0} km");

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
            or Feature.AmountToMerchantMean => "AMOUNT_UNUSUAL",
        Feature.AccountSecondsSincePrevious or Feature.AccountCount1h or Feature.AccountCount1d or Feature.AccountCount7d
            or Feature.AccountCount30d or Feature.AccountAmountSum1h or Feature.AccountBurst1dVs30d => "VELOCITY",
        Feature.AccountSmallCount1h => "CARD_TESTING",
        Feature.HourOfDay or Feature.IsNight or Feature.IsWeekend or Feature.AccountHourDeviation => "TIME_OF_DAY",
        Feature.Channel => "CHANNEL",
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
        _ => throw new InvalidOperationException($"Feature {feature} has no reason group."),
    };
}
