namespace Fraud.Core.Features;

/// <summary>
/// The feature vector, by index. Computed online from what is known at the transaction's time,
/// before the transaction itself updates the profiles. Values that cannot be computed (no history,
/// an optional field absent) are <see cref="FeatureVector.Missing"/>, outside every real range, so a
/// tree learns "unknown" as its own branch.
/// </summary>
public enum Feature
{
    // The transaction itself.
    Amount,
    HourOfDay,
    IsNight,
    IsWeekend,
    Channel,

    // The account's recent behaviour (exponentially decayed windows; the 1 h window is exact).
    AccountSecondsSincePrevious,
    AccountCount1h,
    AccountCount1d,
    AccountCount7d,
    AccountCount30d,
    AccountMeanAmount1d,
    AccountMeanAmount7d,
    AccountMeanAmount30d,
    AccountMaxAmount7d,
    AccountMaxAmount30d,
    AccountAmountSum1h,
    AccountSmallCount1h,
    AmountToMean30d,
    AmountToMean7d,
    AmountToRecentMedian,
    AmountToRecentLowerQuartile,
    AmountToMax30d,
    AmountZScore30d,
    AmountRankRecent,
    AccountBurst1dVs30d,
    AccountHistoryCount,
    AccountAgeDays,
    AccountHourDeviation,
    AccountKnownFraud30d,
    AccountDaysSinceKnownFraud,

    // Optional fields: only when the transaction carries them.
    NewMerchantForAccount,
    NewDeviceForAccount,
    NewCountryForAccount,
    DistanceFromPreviousKm,
    SpeedFromPreviousKmh,
    DistanceFromHomeKm,

    // The merchant (terminal): volume, and fraud known from labels that have arrived.
    MerchantCount1h,
    MerchantCount1d,
    MerchantCount7d,
    MerchantCount30d,
    AmountToMerchantMean,
    MerchantBurst1hVs7d,
    MerchantRisk1d,
    MerchantRisk7d,
    MerchantRisk30d,
    MerchantKnownFrauds30d,
    MerchantDaysSinceKnownFraud,
    MerchantDaysSinceFirstKnownFraud,
    MerchantSettledFraudShare,
    MerchantLastSettledIsFraud,

    // Merchant category and channel, when the transaction carries them (appended: model files
    // match features by name, and older ones simply do not use these).
    NewCategoryForAccount,
    AmountToAccountCategoryMean,
    NewChannelForAccount,
    CategoryRisk30d,
    AmountToCategoryMean,
}
