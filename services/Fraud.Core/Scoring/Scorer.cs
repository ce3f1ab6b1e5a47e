using Fraud.Contracts;
using Fraud.Core.Features;
using Fraud.Core.Model;
using Fraud.Core.Rules;

namespace Fraud.Core.Scoring;

/// <summary>Score, severity and reasons of one transaction.</summary>
public readonly record struct ScoreResult(double Score, Severity Severity, IReadOnlyList<Reason> Reasons);

/// <summary>
/// Combines the model and the rules in log-odds: score = σ(model + w·Σ rule boosts − budget shift),
/// where without a model the rules start from the prior. The shift is 0 without an
/// <see cref="AlertBudget"/> (backtests, offline scoring) and until the live budget is calibrated.
/// Thread-safe; swap a new instance to change the model. <see cref="Score"/> is the
/// allocation-free hot path, <see cref="Explain"/> adds reasons.
/// </summary>
public sealed class Scorer
{
    public const string RulesOnlyVersion = "rules-only";

    private readonly ScoringOptions _options;
    private readonly double _prior;
    private readonly double _ruleWeight;

    public Scorer(FraudModel? model, ScoringOptions options, RuleSet rules, AlertBudget? budget = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Model = model;
        Rules = rules;
        Budget = budget;
        _options = options;
        _prior = Math.Log(options.PriorFraudRate / (1 - options.PriorFraudRate));
        _ruleWeight = model is SupervisedModel ? options.RuleWeightWithModel : 1.0;
    }

    public FraudModel? Model { get; }

    public RuleSet Rules { get; }

    public ScoringOptions Options => _options;

    /// <summary>The live stream's alert budget, fed by the detector with every new transaction's <see cref="LogOdds"/>.</summary>
    public AlertBudget? Budget { get; }

    public string ModelVersion => Model?.Version ?? RulesOnlyVersion;

    /// <summary>Model and rules in log-odds, before the budget's shift.</summary>
    public double LogOdds(ReadOnlySpan<float> features) =>
        (Model?.LogOdds(features) ?? _prior) + _ruleWeight * Rules.Boost(features);

    public double Score(ReadOnlySpan<float> features) => ScoreOf(LogOdds(features));

    /// <summary>The score of log-odds from <see cref="LogOdds"/>, after the budget's shift.</summary>
    public double ScoreOf(double logOdds) => Sigmoid(logOdds - (Budget?.Shift ?? 0));

    public Severity SeverityOf(double score) =>
        score >= _options.CriticalThreshold ? Severity.Critical
        : score >= _options.HighThreshold ? Severity.High
        : score >= _options.MediumThreshold ? Severity.Medium
        : score >= _options.LowThreshold ? Severity.Low
        : Severity.None;

    public bool IsAnomaly(double score) => score >= _options.AlertThreshold;

    public ScoreResult Explain(ReadOnlySpan<float> features, Transaction transaction)
    {
        Span<double> contributions = stackalloc double[FeatureVector.Length];
        var logOdds = Model?.Explain(features, contributions) ?? _prior;
        if (Model is null)
        {
            contributions.Clear();
        }

        Span<double> groups = stackalloc double[ReasonCatalog.Codes.Length];
        groups.Clear();
        for (var i = 0; i < contributions.Length; i++)
        {
            groups[ReasonCatalog.GroupOf(i)] += contributions[i];
        }

        var evidence = new List<(string Code, double Weight, Func<string> Detail)>();
        var copy = features.ToArray();
        for (var g = 0; g < groups.Length; g++)
        {
            // Only what the facts support: a positive weight on an ordinary value is no reason to show.
            if (groups[g] > 0 && ReasonCatalog.Supported(g, copy, transaction))
            {
                var group = g;
                evidence.Add((ReasonCatalog.Codes[g], groups[g], () => ReasonCatalog.Detail(group, copy, transaction)));
            }
        }

        foreach (var rule in Rules.Rules)
        {
            if (rule.Condition(features))
            {
                var weight = _ruleWeight * rule.BoostFor(features);
                logOdds += weight;
                // A rule and a feature group may share a code (VELOCITY, NEW_COUNTRY, …): one reason
                // with both weights and the rule's wording, never the same code twice.
                var same = evidence.FindIndex(e => e.Code == rule.Code);
                if (same >= 0)
                {
                    weight += evidence[same].Weight;
                    evidence.RemoveAt(same);
                }

                evidence.Add((rule.Code, weight, () => rule.Detail(copy, transaction)));
            }
        }

        var score = ScoreOf(logOdds);
        var total = 0.0;
        foreach (var item in evidence)
        {
            total += item.Weight;
        }

        evidence.Sort((a, b) => b.Weight.CompareTo(a.Weight));
        var count = Math.Min(evidence.Count, _options.MaxReasons);
        var reasons = new Reason[count];
        for (var i = 0; i < count; i++)
        {
            reasons[i] = new Reason(evidence[i].Code, evidence[i].Detail(), Math.Round(evidence[i].Weight / total, 4));
        }

        return new ScoreResult(score, SeverityOf(score), reasons);
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
}
