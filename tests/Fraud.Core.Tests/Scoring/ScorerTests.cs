using Fraud.Contracts;
using Fraud.Core.Features;
using Fraud.Core.Model;
using Fraud.Core.Rules;
using Fraud.Core.Scoring;
using Fraud.Core.Tests.Model;
using static Fraud.Core.Tests.TestTransactions;

namespace Fraud.Core.Tests.Scoring;

public class ScorerTests
{
    private static float[] Features(params (Feature Feature, float Value)[] values) => FeatureRows.Of(values);

    private static readonly Transaction Sample = Tx("a", 0, 950m, merchant: "m9", device: "d2", country: "BR");

    [Fact]
    public void WithoutAModelTheScoreIsThePriorUntilRulesFire()
    {
        var scorer = new Scorer(null, new ScoringOptions(), RuleSet.Default());
        var quiet = scorer.Explain(Features((Feature.AccountHistoryCount, 10)), Sample);

        Assert.Equal(0.005, quiet.Score, 6);
        Assert.Equal(Severity.None, quiet.Severity);
        Assert.Empty(quiet.Reasons);
        Assert.Equal(Scorer.RulesOnlyVersion, scorer.ModelVersion);
    }

    [Fact]
    public void ImpossibleTravelAndCardTestingRaiseTheScoreAndExplainIt()
    {
        var scorer = new Scorer(null, new ScoringOptions(), RuleSet.Default());
        var f = Features(
            (Feature.SpeedFromPreviousKmh, 5000), (Feature.DistanceFromPreviousKm, 2500),
            (Feature.AccountSmallCount1h, 6), (Feature.AccountCount1h, 6));

        var result = scorer.Explain(f, Sample);

        Assert.True(scorer.IsAnomaly(result.Score));
        Assert.True(result.Severity >= Severity.High);
        Assert.Equal(["IMPOSSIBLE_TRAVEL", "CARD_TESTING"], result.Reasons.Select(r => r.Code));
        Assert.Contains("2,500 km", result.Reasons[0].Detail, StringComparison.Ordinal);
        Assert.Equal(1.0, result.Reasons.Sum(r => r.Weight), 3);
        Assert.Equal(scorer.Score(f), result.Score, 12);
    }

    [Fact]
    public void NewDeviceInANewCountryNamesBoth()
    {
        var scorer = new Scorer(null, new ScoringOptions(), RuleSet.Default());
        var result = scorer.Explain(Features((Feature.NewDeviceForAccount, 1), (Feature.NewCountryForAccount, 1)), Sample);
        var reason = Assert.Single(result.Reasons);
        Assert.Equal("NEW_DEVICE_AND_COUNTRY", reason.Code);
        Assert.Contains("d2", reason.Detail, StringComparison.Ordinal);
        Assert.Contains("BR", reason.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.1, Severity.None)]
    [InlineData(0.25, Severity.Low)]
    [InlineData(0.6, Severity.Medium)]
    [InlineData(0.75, Severity.High)]
    [InlineData(0.95, Severity.Critical)]
    public void SeverityBandsAreInclusiveAtTheirThresholds(double score, Severity expected)
    {
        Assert.Equal(expected, new Scorer(null, new ScoringOptions(), RuleSet.Default()).SeverityOf(score));
    }

    [Fact]
    public void ModelReasonsAreGroupedOrderedAndSumToOne()
    {
        var set = SyntheticTrainingSet.Create(4000, seed: 21);
        var model = new ModelTrainer(new TrainerOptions { Iterations = 40 }, TimeProvider.System)
            .Train(set, new TrainingContext(null, null, TimeSpan.Zero, 0.5));
        var scorer = new Scorer(model, new ScoringOptions(), RuleSet.Default());
        var fraud = Enumerable.Range(0, set.Count).First(i => set.Label(i) && set.Row(i)[(int)Feature.AmountToMean30d] > 0.8f);
        // The largest of the account's recent amounts: a fact that supports the amount as a reason.
        var row = set.Row(fraud).ToArray();
        row[(int)Feature.AmountRankRecent] = 1f;

        var result = scorer.Explain(row, Sample);

        Assert.NotEmpty(result.Reasons);
        Assert.True(result.Reasons.Count <= 5);
        Assert.Equal(result.Reasons.OrderByDescending(r => r.Weight).Select(r => r.Code), result.Reasons.Select(r => r.Code));
        Assert.InRange(result.Reasons.Sum(r => r.Weight), 0.5, 1.0001);
        Assert.Contains(result.Reasons, r => r.Code is "AMOUNT_UNUSUAL" or "VELOCITY");
        Assert.Equal(scorer.Score(row), result.Score, 9);
    }

    [Fact]
    public void InvalidOptionsAreRejectedByName()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ScoringOptions { AlertThreshold = 1.5 }.Validate());
        Assert.Equal("AlertThreshold", e.ParamName);
        var r = Assert.Throws<ArgumentOutOfRangeException>(() => RuleSet.Default(new RuleOptions { VelocityPerHour = 0 }));
        Assert.Equal("VelocityPerHour", r.ParamName);
    }
}
