namespace Fraud.Core.Evaluation;

/// <summary>What <c>fraud backtest</c> reports; serialised as one JSON object with <c>--json</c>.</summary>
public sealed record BacktestReport
{
    public required string ModelVersion { get; init; }
    public required string ModelKind { get; init; }
    public required long TrainRows { get; init; }
    public required long TrainFrauds { get; init; }
    /// <summary>Test-window transactions counted: those of cards already known compromised on their day are not.</summary>
    public required long TestRows { get; init; }
    /// <summary>Test-window transactions of cards known compromised by their day (handbook protocol), scored but not counted.</summary>
    public required long KnownCompromisedRowsExcluded { get; init; }
    public required long TestFrauds { get; init; }
    public required double AucRoc { get; init; }
    public required double AveragePrecision { get; init; }
    public required double CardPrecisionAt100 { get; init; }
    public required double RecallAt1PctFpr { get; init; }
    /// <summary>Recall when one legitimate transaction in a thousand may be flagged: the operating point of a card issuer's queue.</summary>
    public required double RecallAtTenthPctFpr { get; init; }
    /// <summary>Recall, and precision, at the configured alert threshold.</summary>
    public required double RecallAtAlertThreshold { get; init; }
    public required double PrecisionAtAlertThreshold { get; init; }
    public required IReadOnlyDictionary<string, ScenarioRecall> RecallByScenario { get; init; }
    public required long RowsReplayed { get; init; }
    public required long BadRowsSkipped { get; init; }
    public required double Seconds { get; init; }
    public required double TrainingSeconds { get; init; }
    /// <summary>Rows replayed per second, end to end (read, features, training, scoring).</summary>
    public required double TransactionsPerSecond { get; init; }
    /// <summary>Features + scoring alone, per second of one core.</summary>
    public required double ScoringTransactionsPerSecond { get; init; }
    public required IReadOnlyDictionary<string, double> ModelMetrics { get; init; }
    /// <summary>With <c>--baseline</c>: the same learner given only <see cref="BaselineFeatures"/>, on the same rows.</summary>
    public RankingFigures? Baseline { get; init; }
}

/// <summary>How well one set of scores ranks the counted test rows.</summary>
public sealed record RankingFigures(double AucRoc, double AveragePrecision, double CardPrecisionAt100, double RecallAt1PctFpr, double RecallAtTenthPctFpr)
{
    /// <summary>The figures of <paramref name="scores"/> on counted rows of the given UTC days and dense account indexes.</summary>
    internal static RankingFigures Of(int[] days, int[] accounts, double[] scores, bool[] labels) => new(
        Metrics.AucRoc(scores, labels),
        Metrics.AveragePrecision(scores, labels),
        CardPrecision.AtK(days, accounts, scores, labels, 100).Mean,
        Metrics.RecallAtFpr(scores, labels, 0.01),
        Metrics.RecallAtFpr(scores, labels, 0.001));
}

/// <summary>Recall of one fraud scenario at two operating points.</summary>
public sealed record ScenarioRecall(long Frauds, double RecallAt1PctFpr, double RecallAtAlertThreshold);
