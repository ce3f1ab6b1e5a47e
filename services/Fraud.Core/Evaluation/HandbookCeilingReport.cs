namespace Fraud.Core.Evaluation;

/// <summary>What <see cref="HandbookCeiling"/> found on a file.</summary>
/// <param name="CountedRows">Test-window transactions left once the known compromised cards (and rows without a score) are out.</param>
/// <param name="CountedFrauds">Frauds among them.</param>
/// <param name="UnknowableFrauds">
/// Counted frauds of scenario 2 (compromised terminal) made before the first label of their terminal's
/// current run of frauds has arrived.
/// </param>
/// <param name="RowsWithoutScore">Test-window rows the scores did not cover (rows the backtest skipped), left out.</param>
/// <param name="Ceiling">A scorer that finds every other fraud and ranks these tied with the legitimate transactions.</param>
/// <param name="Engine">The given scores on the same rows; null without scores.</param>
/// <param name="EngineAucOnUnknowable">The given scores' AUC on the unknowable frauds against the legitimate transactions.</param>
/// <param name="CeilingKeepingEngineOrder">The given scores with every other fraud moved to the top: what ranking them perfectly would reach.</param>
internal sealed record HandbookCeilingReport(
    int CountedRows,
    int CountedFrauds,
    int UnknowableFrauds,
    int RowsWithoutScore,
    RankingFigures Ceiling,
    RankingFigures? Engine,
    double? EngineAucOnUnknowable,
    RankingFigures? CeilingKeepingEngineOrder);
