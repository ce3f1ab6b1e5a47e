using Fraud.Contracts;
using Fraud.Core.Features;
using static Fraud.Core.Tests.TestTransactions;

namespace Fraud.Core.Tests.Features;

/// <summary>Merchant category and channel, when transactions carry them: against the account's own history and the category's fraud.</summary>
public sealed class CategoryFeatureTests
{
    private readonly ProfileTracker _profiles = new(new ProfileOptions { LabelDelay = TimeSpan.FromDays(1) });

    private float[] Observe(Transaction tx)
    {
        var features = new float[FeatureVector.Length];
        _profiles.Observe(tx, features);
        return features;
    }

    private static Transaction In(Transaction tx, string? category, Channel? channel = Channel.CardPresent) =>
        tx with { MerchantCategory = category, Channel = channel };

    /// <summary>Five grocery purchases of 40-60 at the till, a day apart.</summary>
    private void Groceries(string account)
    {
        for (var i = 0; i < 5; i++)
        {
            Observe(In(Tx(account, minutes: i * 1_440, amount: 40 + i * 5, merchant: $"shop-{i % 2}"), "grocery"));
        }
    }

    [Fact]
    public void A_first_purchase_in_a_category_is_new_and_an_amount_is_measured_against_the_accounts_own_in_its_category()
    {
        Groceries("acct");

        var electronics = Observe(In(Tx("acct", minutes: 5 * 1_440, amount: 900, merchant: "tv-shop"), "electronics"));
        Assert.Equal(1f, electronics[(int)Feature.NewCategoryForAccount]);
        Assert.True(FeatureVector.IsMissing(electronics[(int)Feature.AmountToAccountCategoryMean]));

        // The grocery mean is 50 (40, 45, 50, 55, 60): 300 is six times it.
        var bigShop = Observe(In(Tx("acct", minutes: 6 * 1_440, amount: 300, merchant: "shop-0"), "grocery"));
        Assert.Equal(0f, bigShop[(int)Feature.NewCategoryForAccount]);
        Assert.Equal(6f, bigShop[(int)Feature.AmountToAccountCategoryMean], 3);
    }

    [Fact]
    public void A_first_online_payment_after_card_present_ones_is_a_new_channel()
    {
        Groceries("acct");

        var online = Observe(In(Tx("acct", minutes: 5 * 1_440, amount: 45, merchant: "web-shop"), "grocery", Channel.Online));
        var tillAgain = Observe(In(Tx("acct", minutes: 6 * 1_440, amount: 45, merchant: "shop-1"), "grocery"));

        Assert.Equal(1f, online[(int)Feature.NewChannelForAccount]);
        Assert.Equal(0f, tillAgain[(int)Feature.NewChannelForAccount]);
    }

    [Fact]
    public void Without_a_category_or_a_channel_nothing_about_them_is_claimed()
    {
        Groceries("acct");

        var bare = Observe(In(Tx("acct", minutes: 5 * 1_440, amount: 45, merchant: "shop-0"), category: null, channel: null));

        foreach (var feature in (Feature[])[Feature.NewCategoryForAccount, Feature.AmountToAccountCategoryMean, Feature.NewChannelForAccount,
                     Feature.CategoryRisk30d, Feature.AmountToCategoryMean])
        {
            Assert.True(FeatureVector.IsMissing(bare[(int)feature]), $"{feature} = {bare[(int)feature]}");
        }
    }

    [Fact]
    public void A_fraud_label_on_a_merchant_counts_for_its_category_once_settled_and_not_before()
    {
        // Ten electronics sales a day at two shops; on day 0 one at tv-1 is fraud.
        for (var day = 0; day < 3; day++)
        {
            for (var i = 0; i < 10; i++)
            {
                Observe(In(Tx($"buyer-{day}-{i}", minutes: day * 1_440 + i * 10, amount: 500, merchant: $"tv-{i % 2}", id: $"e-{day}-{i}"), "electronics"));
            }
        }

        var fraud = Tx("buyer-0-0", minutes: 0, amount: 500, merchant: "tv-0", id: "e-0-0");
        var atOtherShop = In(Tx("someone", minutes: 3 * 1_440, amount: 500, merchant: "tv-1"), "electronics");
        var before = Observe(atOtherShop with { TransactionId = "probe-1" });
        _profiles.ApplyLabel(new FraudLabel(fraud.TransactionId, fraud.AccountId, fraud.MerchantId, fraud.Timestamp, IsFraud: true));
        var after = Observe(atOtherShop with { TransactionId = "probe-2", Timestamp = atOtherShop.Timestamp.AddMinutes(1) });

        Assert.Equal(0f, before[(int)Feature.CategoryRisk30d]);
        // One fraud among the category's days up to a label delay back (days 0 to 2 seen from day 3): 1 of 30.
        Assert.Equal(1f / 30, after[(int)Feature.CategoryRisk30d], 4);
        Assert.Equal(1f, after[(int)Feature.AmountToCategoryMean], 3);
        // The other shop's own risk is untouched: the fraud was at tv-0.
        Assert.Equal(0f, after[(int)Feature.MerchantRisk30d]);
    }
}
