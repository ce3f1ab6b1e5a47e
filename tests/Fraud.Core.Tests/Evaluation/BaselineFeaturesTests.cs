using Fraud.Contracts;
using Fraud.Core.Evaluation;
using Fraud.Core.Features;

namespace Fraud.Core.Tests.Evaluation;

public sealed class BaselineFeaturesTests
{
    private static readonly DateTimeOffset Day0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Account_windows_count_and_average_what_came_before_and_forget_what_left_them()
    {
        var features = new BaselineFeatures(TimeSpan.FromDays(7));
        var row = new float[FeatureVector.Length];

        features.Extract(Tx("a", Day0, 10m, "m1", "grocery"), false, row);
        Assert.Equal(10f, row[0]);
        Assert.Equal(F(0f, FeatureVector.Missing, 0f, FeatureVector.Missing, 0f, FeatureVector.Missing), row[1..7]);
        Assert.Equal(FeatureVector.Missing, row[7]);
        Assert.Equal(F(1f, 1f), row[8..10]);
        Assert.All(row[BaselineFeatures.Names.Count..], v => Assert.Equal(FeatureVector.Missing, v));

        features.Extract(Tx("a", Day0.AddHours(2), 30m, "m1", "grocery"), false, row);
        Assert.Equal(F(1f, 10f, 1f, 10f, 1f, 10f), row[1..7]);
        Assert.Equal(2f, row[7]);
        Assert.Equal(F(0f, 0f), row[8..10]);

        // Three days on: the first two are out of the 1-day window, in the 7- and 30-day ones.
        features.Extract(Tx("a", Day0.AddDays(3), 50m, "m2", "travel"), false, row);
        Assert.Equal(F(0f, FeatureVector.Missing, 2f, 20f, 2f, 20f), row[1..7]);
        Assert.Equal(70f, row[7]);
        Assert.Equal(F(1f, 1f), row[8..10]);

        // Forty days on: nothing is left in any window, but the merchant is still known.
        features.Extract(Tx("a", Day0.AddDays(43), 5m, "m1", null), false, row);
        Assert.Equal(F(0f, FeatureVector.Missing, 0f, FeatureVector.Missing, 0f, FeatureVector.Missing), row[1..7]);
        Assert.Equal(0f, row[8]);
        Assert.Equal(FeatureVector.Missing, row[9]);

        // Another account's history is its own.
        features.Extract(Tx("b", Day0.AddDays(43), 7m, "m1", "grocery"), false, row);
        Assert.Equal(F(0f, FeatureVector.Missing, 0f, FeatureVector.Missing, 0f, FeatureVector.Missing), row[1..7]);
        Assert.Equal(F(1f, 1f), row[8..10]);
    }

    [Fact]
    public void A_merchant_fraud_counts_only_once_its_label_has_arrived_and_leaves_each_window_in_turn()
    {
        var features = new BaselineFeatures(TimeSpan.FromDays(7));
        var row = new float[FeatureVector.Length];
        features.Extract(Tx("a", Day0, 10m, "m", null), true, row);
        features.Extract(Tx("b", Day0.AddHours(1), 10m, "m", null), false, row);

        // Six days on, neither label has arrived: no settled transaction in any window.
        features.Extract(Tx("c", Day0.AddDays(6), 10m, "m", null), false, row);
        Assert.Equal(MerchantWindows(0, null, 0, null, 0, null), row[10..16]);

        // Seven days and a half on: both arrived, in every window (the 1-day one reaches back to day -1).
        features.Extract(Tx("d", Day0.AddDays(7.5), 10m, "m", null), false, row);
        Assert.Equal(MerchantWindows(2, 0.5f, 2, 0.5f, 2, 0.5f), row[10..16]);

        // Nine days on: the 1-day window has moved past them, and day 6's label has not arrived.
        features.Extract(Tx("e", Day0.AddDays(9), 10m, "m", null), false, row);
        Assert.Equal(MerchantWindows(0, null, 2, 0.5f, 2, 0.5f), row[10..16]);

        // Day 6 settles at day 13; the fraud of day 0 has left the 7-day window by day 14.5.
        features.Extract(Tx("f", Day0.AddDays(14.5), 10m, "m", null), false, row);
        Assert.Equal(MerchantWindows(1, 0f, 2, 0f, 4, 0.25f), row[10..16]);
    }

    [Fact]
    public void A_transaction_without_merchant_has_no_merchant_features()
    {
        var features = new BaselineFeatures(TimeSpan.FromDays(7));
        var row = new float[FeatureVector.Length];
        features.Extract(Tx("a", Day0, 10m, null, null), false, row);
        Assert.Equal(F(FeatureVector.Missing, FeatureVector.Missing), row[8..10]);
        Assert.All(row[10..16], v => Assert.Equal(FeatureVector.Missing, v));
    }

    private static float[] F(params float[] values) => values;

    private static float[] MerchantWindows(int count1, float? rate1, int count7, float? rate7, int count30, float? rate30) =>
        [count1, rate1 ?? FeatureVector.Missing, count7, rate7 ?? FeatureVector.Missing, count30, rate30 ?? FeatureVector.Missing];

    private static Transaction Tx(string account, DateTimeOffset time, decimal amount, string? merchant, string? category) => new()
    {
        TransactionId = $"{account}-{time.ToUnixTimeSeconds()}",
        AccountId = account,
        Timestamp = time,
        Amount = amount,
        Currency = "EUR",
        MerchantId = merchant,
        MerchantCategory = category,
    };
}
