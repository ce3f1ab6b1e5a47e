using Fraud.Contracts;
using Fraud.Core.Features;
using Fraud.Core.Scoring;

namespace Fraud.Core.Tests.Scoring;

/// <summary>
/// Reasons say only what is so: the cases a probe found false or empty (a placeholder value, a
/// "known device" or an ordinary afternoon given as a reason, "1 transactions") and their true forms.
/// </summary>
public sealed class ReasonTruthTests
{
    private static readonly Transaction Afternoon = new()
    {
        TransactionId = "t-1",
        AccountId = "a-1",
        Timestamp = new DateTimeOffset(2026, 3, 4, 15, 32, 0, TimeSpan.Zero),
        Amount = 950m,
        MerchantId = "m-9",
        DeviceId = "d-2",
        Country = "FR",
        Channel = Channel.Online,
    };

    private static float[] Features(params (Feature Feature, float Value)[] values) => FeatureRows.Of(values);

    private static int Group(string code) => Array.IndexOf(ReasonCatalog.Codes, code);

    private static bool Supported(string code, float[] f, Transaction? tx = null) => ReasonCatalog.Supported(Group(code), f, tx ?? Afternoon);

    private static string Detail(string code, float[] f, Transaction? tx = null) => ReasonCatalog.Detail(Group(code), f, tx ?? Afternoon);

    [Fact]
    public void A_missing_value_is_never_a_reason_and_never_shown()
    {
        Assert.False(Supported("MERCHANT_ACTIVITY", Features()));
        Assert.False(Supported("GEO_VELOCITY", Features()));
        Assert.False(Supported("ACCOUNT_FRAUD_HISTORY", Features()));
        Assert.False(Supported("MERCHANT_RISK", Features((Feature.MerchantKnownFrauds30d, 0))));
        var busy = Features((Feature.MerchantCount1h, 40), (Feature.MerchantCount7d, 168 * 4));
        Assert.True(Supported("MERCHANT_ACTIVITY", busy));
        Assert.Equal("merchant m-9: 40 transactions in the last hour, 4 an hour usually", Detail("MERCHANT_ACTIVITY", busy));
        Assert.DoesNotContain("-999", Detail("MERCHANT_ACTIVITY", busy), StringComparison.Ordinal);
    }

    [Fact]
    public void What_is_familiar_is_no_reason()
    {
        Assert.False(Supported("NEW_DEVICE", Features((Feature.NewDeviceForAccount, 0))));
        Assert.False(Supported("NEW_COUNTRY", Features((Feature.NewCountryForAccount, 0))));
        Assert.False(Supported("NEW_MERCHANT", Features((Feature.NewMerchantForAccount, 0))));
        Assert.False(Supported("NEW_DEVICE", Features((Feature.NewDeviceForAccount, 1)), Afternoon with { DeviceId = null }));
        Assert.True(Supported("NEW_DEVICE", Features((Feature.NewDeviceForAccount, 1))));
        Assert.Equal("device d-2 not seen before on this account", Detail("NEW_DEVICE", Features((Feature.NewDeviceForAccount, 1))));
    }

    [Fact]
    public void An_ordinary_afternoon_is_no_reason_and_an_unusual_hour_says_why()
    {
        Assert.False(Supported("TIME_OF_DAY", Features((Feature.IsNight, 0), (Feature.AccountHourDeviation, 0.1f))));
        var unusual = Features((Feature.IsNight, 0), (Feature.AccountHourDeviation, 0.8f));
        Assert.True(Supported("TIME_OF_DAY", unusual));
        Assert.Equal("at 15:32 UTC, an unusual hour for this account", Detail("TIME_OF_DAY", unusual));
        var night = Afternoon with { Timestamp = new DateTimeOffset(2026, 3, 4, 3, 5, 0, TimeSpan.Zero) };
        Assert.Equal("at 03:05 UTC, at night", Detail("TIME_OF_DAY", Features((Feature.IsNight, 1), (Feature.AccountHourDeviation, 0.2f)), night));
    }

    [Fact]
    public void Distance_says_only_the_part_that_is_far()
    {
        // The probe's case: right next to the previous transaction, far from home.
        var farFromHome = Features((Feature.DistanceFromPreviousKm, 0), (Feature.SpeedFromPreviousKmh, 0), (Feature.DistanceFromHomeKm, 4896));
        Assert.True(Supported("GEO_VELOCITY", farFromHome));
        Assert.Equal("4,896 km from where this account usually pays", Detail("GEO_VELOCITY", farFromHome));
        var jump = Features((Feature.DistanceFromPreviousKm, 2500), (Feature.SpeedFromPreviousKmh, 5000), (Feature.DistanceFromHomeKm, 10));
        Assert.Equal("2,500 km from the previous transaction (5,000 km/h)", Detail("GEO_VELOCITY", jump));
        Assert.False(Supported("GEO_VELOCITY", Features((Feature.DistanceFromPreviousKm, 3), (Feature.SpeedFromPreviousKmh, 20), (Feature.DistanceFromHomeKm, 12))));
    }

    [Fact]
    public void An_account_seen_many_times_is_not_new_and_counts_have_their_plurals()
    {
        Assert.False(Supported("ACCOUNT_NEW", Features((Feature.AccountHistoryCount, 48), (Feature.AccountAgeDays, 90))));
        var fresh = Features((Feature.AccountHistoryCount, 1), (Feature.AccountAgeDays, 1));
        Assert.True(Supported("ACCOUNT_NEW", fresh));
        Assert.Equal("a new account: 1 earlier transaction over 1 day", Detail("ACCOUNT_NEW", fresh));
        Assert.False(Supported("VELOCITY", Features((Feature.AccountCount1h, 0), (Feature.AccountCount1d, 1), (Feature.AccountCount30d, 30))));
        Assert.Equal("1 transaction", Wording.Count(1, "transaction"));
        Assert.Equal("12 transactions", Wording.Count(12, "transaction"));
        Assert.Equal("today", Wording.DaysAgo(0.4));
        Assert.Equal("yesterday", Wording.DaysAgo(1.2));
        Assert.Equal("3 days ago", Wording.DaysAgo(3.9));
    }

    [Fact]
    public void A_model_that_weighs_ordinary_values_up_shows_only_the_reasons_the_facts_support()
    {
        // Every feature pushes the score up; only the new device and the night are facts worth showing.
        var model = new EveryFeatureCounts();
        var scorer = new Scorer(model, new ScoringOptions(), Rules.RuleSet.Default());
        var night = Afternoon with { Timestamp = new DateTimeOffset(2026, 3, 4, 3, 5, 0, TimeSpan.Zero) };
        var f = Features(
            (Feature.NewDeviceForAccount, 1), (Feature.NewCountryForAccount, 0), (Feature.NewMerchantForAccount, 0),
            (Feature.IsNight, 1), (Feature.AccountHourDeviation, 0.1f), (Feature.AccountHistoryCount, 48), (Feature.AccountAgeDays, 90),
            (Feature.AccountCount1h, 0), (Feature.AccountCount1d, 1), (Feature.AccountCount30d, 30),
            (Feature.AmountToMean30d, 1.1f), (Feature.AmountRankRecent, 0.4f), (Feature.AccountMeanAmount30d, 860));

        var reasons = scorer.Explain(f, night with { Channel = null }).Reasons;

        Assert.Equal(["NEW_DEVICE", "TIME_OF_DAY"], reasons.Select(r => r.Code).Order(StringComparer.Ordinal));
        Assert.All(reasons, r => Assert.DoesNotContain("-999", r.Detail, StringComparison.Ordinal));
    }

    [Fact]
    public void Category_and_channel_reasons_say_what_is_so_and_only_when_it_is()
    {
        var grocery = Afternoon with { MerchantCategory = "grocery" };

        Assert.False(Supported("NEW_CATEGORY", Features((Feature.NewCategoryForAccount, 0)), grocery));
        Assert.False(Supported("NEW_CATEGORY", Features((Feature.NewCategoryForAccount, 1)), Afternoon));
        Assert.True(Supported("NEW_CATEGORY", Features((Feature.NewCategoryForAccount, 1)), grocery));
        Assert.Equal("first transaction in category grocery among the account's recent ones",
            Detail("NEW_CATEGORY", Features((Feature.NewCategoryForAccount, 1)), grocery));

        Assert.False(Supported("CATEGORY_AMOUNT", Features(), grocery));
        Assert.False(Supported("CATEGORY_AMOUNT", Features((Feature.AmountToAccountCategoryMean, 1.5f)), grocery));
        var fiveTimes = Features((Feature.AmountToAccountCategoryMean, 5));
        Assert.True(Supported("CATEGORY_AMOUNT", fiveTimes, grocery));
        Assert.Equal("amount 950.00 is 5.0× the account's usual grocery amount of 190.00", Detail("CATEGORY_AMOUNT", fiveTimes, grocery));

        Assert.False(Supported("CATEGORY_RISK", Features(), grocery));
        Assert.False(Supported("CATEGORY_RISK", Features((Feature.CategoryRisk30d, 0)), grocery));
        var risky = Features((Feature.CategoryRisk30d, 0.042f));
        Assert.True(Supported("CATEGORY_RISK", risky, grocery));
        Assert.Equal("category grocery: 4.2% of its settled transactions were fraud", Detail("CATEGORY_RISK", risky, grocery));

        Assert.Equal("first online transaction among the account's recent ones", Detail("CHANNEL", Features((Feature.NewChannelForAccount, 1))));
        Assert.Equal("channel online", Detail("CHANNEL", Features((Feature.NewChannelForAccount, 0))));
        Assert.Equal("channel online", Detail("CHANNEL", Features()));
    }

    /// <summary>A model in which every feature adds the same to the log-odds.</summary>
    private sealed class EveryFeatureCounts() : Fraud.Core.Model.FraudModel(new Fraud.Core.Model.ModelManifest
    {
        Version = "every-feature",
        Kind = Fraud.Core.Model.ModelKind.Supervised,
        Algorithm = "test",
        Features = FeatureVector.Names,
        CreatedAt = DateTimeOffset.UnixEpoch,
    })
    {
        public override double Baseline => -5;

        public override double LogOdds(ReadOnlySpan<float> features) => Baseline + features.Length * 0.1;

        public override double Explain(ReadOnlySpan<float> features, Span<double> contributions)
        {
            contributions.Fill(0.1);
            return LogOdds(features);
        }
    }
}
