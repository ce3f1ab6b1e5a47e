namespace Fraud.Core.Scoring;

/// <summary>Severity bands, the alert threshold and how rules combine with the model. Validated at start-up.</summary>
public sealed class ScoringOptions
{
    public const string Section = "Fraud:Scoring";

    public double LowThreshold { get; set; } = 0.25;
    public double MediumThreshold { get; set; } = 0.5;
    public double HighThreshold { get; set; } = 0.75;
    public double CriticalThreshold { get; set; } = 0.9;

    /// <summary>Scores at or above this are anomalies: stored, published and shown to analysts.</summary>
    public double AlertThreshold { get; set; } = 0.5;

    /// <summary>
    /// Weight of the rules' boosts when a supervised model scores too. The model already learns from
    /// the same signals, so rules mostly explain; raising this makes them decide more.
    /// </summary>
    public double RuleWeightWithModel { get; set; } = 0.25;

    /// <summary>Fraud prior used when no model is loaded: the starting log-odds of the rules.</summary>
    public double PriorFraudRate { get; set; } = 0.005;

    /// <summary>
    /// Most share of live transactions that alert, over the last <see cref="AlertBudgetWindow"/>: when
    /// more would, the alert threshold rises so that only the highest-scoring ones do. 0 turns the
    /// ceiling off. An unsupervised model is held at its own contamination (or this, if lower).
    /// </summary>
    public double AlertBudget { get; set; } = 0.01;

    /// <summary>Most recent live transactions the alert budget is measured over.</summary>
    public int AlertBudgetWindow { get; set; } = 20_000;

    /// <summary>Most reasons attached to a score.</summary>
    public int MaxReasons { get; set; } = 5;

    public void Validate()
    {
        if (!(0 < LowThreshold && LowThreshold <= MediumThreshold && MediumThreshold <= HighThreshold
              && HighThreshold <= CriticalThreshold && CriticalThreshold < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(LowThreshold), LowThreshold,
                "thresholds must satisfy 0 < Low ≤ Medium ≤ High ≤ Critical < 1");
        }

        if (AlertThreshold is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(AlertThreshold), AlertThreshold, "must be in (0, 1)");
        }

        if (RuleWeightWithModel is < 0 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(RuleWeightWithModel), RuleWeightWithModel, "must be in [0, 10]");
        }

        if (PriorFraudRate is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(PriorFraudRate), PriorFraudRate, "must be in (0, 1)");
        }

        if (AlertBudget is < 0 or >= 0.5)
        {
            throw new ArgumentOutOfRangeException(nameof(AlertBudget), AlertBudget, "must be in [0, 0.5) (0 turns it off)");
        }

        if (AlertBudgetWindow is < 1_000 or > 100_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(AlertBudgetWindow), AlertBudgetWindow, "must be in [1000, 100000000]");
        }

        if (MaxReasons is < 1 or > 20)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxReasons), MaxReasons, "must be in [1, 20]");
        }
    }
}
