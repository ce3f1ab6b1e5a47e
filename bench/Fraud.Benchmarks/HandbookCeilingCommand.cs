using System.Globalization;
using Fraud.Core.Evaluation;

namespace Fraud.Benchmarks;

/// <summary>
/// <c>handbook-ceiling</c>: prints <see cref="HandbookCeiling"/> for a handbook-format file under the
/// protocol (label delay 7 days), and beside it a backtest's <c>--scores-out</c> when given.
/// </summary>
internal static class HandbookCeilingCommand
{
    public static void Run(string path, string trainFrom, string testFrom, string testTo, string? scoresPath)
    {
        var report = HandbookCeiling.Compute(
            HandbookFile.Rows(path),
            DateOnly.Parse(trainFrom, CultureInfo.InvariantCulture),
            DateOnly.Parse(testFrom, CultureInfo.InvariantCulture),
            DateOnly.Parse(testTo, CultureInfo.InvariantCulture),
            TimeSpan.FromDays(7),
            scoresPath is null ? null : HandbookFile.Scores(scoresPath));
        var leftOut = scoresPath is null ? "" : $"; {report.RowsWithoutScore} test row{(report.RowsWithoutScore == 1 ? "" : "s")} without a score left out";
        Print($"counted: {report.CountedRows:N0} transactions, {report.CountedFrauds:N0} frauds; {report.UnknowableFrauds:N0} of them at a compromised terminal before any label of it arrived{leftOut}");
        Print($"{"",-46} {"AUC",7} {"AP",7} {"P@100",7} {"R@1%",7} {"R@0.1%",7}");
        Print(Line("ceiling: every other fraud found, none of these", report.Ceiling));
        if (report.Engine is { } engine && report.CeilingKeepingEngineOrder is { } keeping)
        {
            Print(Line("the scores", engine));
            Print(Line("the scores, every other fraud moved to the top", keeping));
            Print($"the scores' AUC on those frauds against the legitimate transactions: {report.EngineAucOnUnknowable:F4}");
        }
    }

    private static FormattableString Line(string name, RankingFigures f) =>
        $"{name,-46} {f.AucRoc,7:F4} {f.AveragePrecision,7:F4} {f.CardPrecisionAt100,7:F4} {f.RecallAt1PctFpr,7:F4} {f.RecallAtTenthPctFpr,7:F4}";

    private static void Print(FormattableString text) => Console.WriteLine(text.ToString(CultureInfo.InvariantCulture));
}
