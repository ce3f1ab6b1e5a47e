using Fraud.Contracts;
using Fraud.Core.Features;
using Fraud.Core.Rules;
using Fraud.Core.Scoring;
using static Fraud.Core.Tests.TestTransactions;

namespace Fraud.Core.Tests.Scoring;

/// <summary>
/// With no model (a new deployment), evidence that stacks up scores high, for the first and the
/// later transactions of a burst, with reasons that say why; ordinary purchases do not alert. The
/// probe's case: a few weeks of small purchases at a few merchants in one country, then a burst of
/// 2,000-5,000 EUR purchases minutes apart at a merchant and in a country the account never used.
/// </summary>
public sealed class ColdStartTests
{
    private readonly ProfileTracker _profiles = new(new ProfileOptions());
    private readonly Scorer _scorer = new(null, new ScoringOptions(), RuleSet.Default());

    private ScoreResult Score(Transaction tx)
    {
        Span<float> features = stackalloc float[FeatureVector.Length];
        _profiles.Observe(tx, features);
        return _scorer.Explain(features, tx);
    }

    /// <summary>15 purchases of 20-80 EUR over three weeks, daytime, at three merchants in FR.</summary>
    private void History(string account, bool withDevice = true, bool withLocation = true)
    {
        for (var i = 0; i < 15; i++)
        {
            var result = Score(Tx(account, minutes: i * 60 * 34, amount: 20 + i * 4 % 60, merchant: $"shop-{i % 3}",
                device: withDevice ? "phone" : null, country: "FR", lat: withLocation ? 48.85 : null, lon: withLocation ? 2.35 : null));
            Assert.False(_scorer.IsAnomaly(result.Score), $"history purchase {i} scored {result.Score:0.000}");
        }
    }

    private List<ScoreResult> Burst(string account, bool withDevice = true, bool withLocation = true)
    {
        var start = 15 * 60 * 34 + 600;
        return [.. Enumerable.Range(0, 5).Select(i => Score(Tx(account, minutes: start + i * 4, amount: 2_000 + i * 700, merchant: "never-used",
            device: withDevice ? "phone" : null, country: "BR", lat: withLocation ? -23.55 : null, lon: withLocation ? -46.63 : null)))];
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void A_burst_of_large_amounts_at_a_new_merchant_in_a_new_country_scores_high_from_its_first_transaction(bool withDevice, bool withLocation)
    {
        History("acct", withDevice, withLocation);

        var burst = Burst("acct", withDevice, withLocation);

        Assert.All(burst, (r, i) =>
        {
            Assert.True(r.Severity >= Severity.High, $"burst transaction {i}: {r.Score:0.000} ({r.Severity}): {string.Join("; ", r.Reasons.Select(x => x.Code))}");
            var codes = r.Reasons.Select(x => x.Code).ToList();
            Assert.Contains("AMOUNT_SPIKE", codes);
            Assert.Contains("NEW_MERCHANT", codes);
            Assert.True(codes.Contains("NEW_COUNTRY") || codes.Contains("NEW_DEVICE_AND_COUNTRY"), string.Join("; ", codes));
        });
        // The burst does not make itself normal: its own amounts are not the baseline.
        Assert.Contains("× the account's recent median", burst[^1].Reasons.Single(r => r.Code == "AMOUNT_SPIKE").Detail, StringComparison.Ordinal);
        Assert.True(burst[^1].Score >= burst[0].Score - 0.05, $"last {burst[^1].Score:0.000} vs first {burst[0].Score:0.000}");
    }

    [Fact]
    public void Ordinary_purchases_do_not_alert_even_at_a_new_merchant_or_somewhat_above_the_usual()
    {
        History("acct");
        var day = 15 * 60 * 34 + 24 * 60;
        var ordinary = new[]
        {
            Tx("acct", day, 45, "shop-1", "phone", "FR", 48.85, 2.35),
            Tx("acct", day + 120, 120, "new-bakery", "phone", "FR", 48.86, 2.34),
            Tx("acct", day + 300, 60, "shop-2", "phone", "FR", 48.85, 2.35),
        };

        foreach (var tx in ordinary)
        {
            var result = Score(tx);
            Assert.True(result.Severity < Severity.Medium, $"{tx.Amount} at {tx.MerchantId}: {result.Score:0.000} {string.Join("; ", result.Reasons.Select(r => r.Detail))}");
        }
    }

    [Fact]
    public void A_country_becomes_known_only_when_seen_on_a_second_day()
    {
        History("acct", withLocation: false);
        var start = 15 * 60 * 34 + 600;
        var first = Score(Tx("acct", start, 50, "shop-1", "phone", "DE"));
        var sameDay = Score(Tx("acct", start + 90, 50, "shop-1", "phone", "DE"));
        var nextDay = Score(Tx("acct", start + 24 * 60 + 90, 50, "shop-1", "phone", "DE"));
        var after = Score(Tx("acct", start + 24 * 60 + 200, 50, "shop-1", "phone", "DE"));

        Assert.Contains(first.Reasons, r => r.Code == "NEW_COUNTRY");
        Assert.Contains(sameDay.Reasons, r => r.Code == "NEW_COUNTRY");
        Assert.DoesNotContain(nextDay.Reasons, r => r.Code == "NEW_COUNTRY");
        Assert.DoesNotContain(after.Reasons, r => r.Code == "NEW_COUNTRY");
        Assert.Equal("DE is new for this account: not among the countries it is known to use (seen on two separate days, or in a purchase reviewed as a false positive)",
            first.Reasons.Single(r => r.Code == "NEW_COUNTRY").Detail);
    }

    [Fact]
    public void Card_testing_after_history_scores_high()
    {
        History("acct");
        var start = 15 * 60 * 34 + 600;
        // Twelve 1.00 EUR charges a minute apart at a merchant the account never used: card testing,
        // velocity and a new merchant together.
        var results = Enumerable.Range(0, 12).Select(i => Score(Tx("acct", start + i, 1.00m, "test-shop", "phone", "FR", 48.85, 2.35))).ToList();

        Assert.True(results[^1].Severity >= Severity.High, $"{results[^1].Score:0.000}: {string.Join("; ", results[^1].Reasons.Select(r => r.Detail))}");
        Assert.Contains(results[^1].Reasons, r => r.Code == "CARD_TESTING");
    }
}
