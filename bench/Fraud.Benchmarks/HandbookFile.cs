using System.Globalization;
using Fraud.Core.Evaluation;

namespace Fraud.Benchmarks;

/// <summary>
/// Reads a file in the handbook's own columns (its published data, or <see cref="HandbookDataset"/>'s):
/// TRANSACTION_ID, TX_DATETIME (UTC), CUSTOMER_ID, TERMINAL_ID, TX_FRAUD and TX_FRAUD_SCENARIO, found by header name.
/// </summary>
internal static class HandbookFile
{
    public static IEnumerable<HandbookRow> Rows(string path)
    {
        using var reader = new StreamReader(path);
        var header = (reader.ReadLine() ?? throw new FormatException($"{path}: empty file")).Split(',');
        int Column(string name) => Array.IndexOf(header, name) is var i and >= 0
            ? i
            : throw new FormatException($"{path}:1: no column {name}");

        var (id, time, customer, terminal, fraud, scenario) = (Column("TRANSACTION_ID"), Column("TX_DATETIME"),
            Column("CUSTOMER_ID"), Column("TERMINAL_ID"), Column("TX_FRAUD"), Column("TX_FRAUD_SCENARIO"));
        var line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            var cells = text.Split(',');
            HandbookRow row;
            try
            {
                row = new HandbookRow(
                    long.Parse(cells[id], CultureInfo.InvariantCulture),
                    DateTimeOffset.ParseExact(cells[time], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                    int.Parse(cells[customer], CultureInfo.InvariantCulture),
                    int.Parse(cells[terminal], CultureInfo.InvariantCulture),
                    cells[fraud] == "1",
                    int.Parse(cells[scenario], CultureInfo.InvariantCulture));
            }
            catch (Exception e) when (e is FormatException or IndexOutOfRangeException or OverflowException)
            {
                throw new FormatException($"{path}:{line}: {e.Message}", e);
            }

            yield return row;
        }
    }

    /// <summary>A backtest's <c>--scores-out</c> file: transaction_id,score.</summary>
    public static Dictionary<long, double> Scores(string path)
    {
        var scores = new Dictionary<long, double>();
        var line = 1;
        foreach (var text in File.ReadLines(path).Skip(1))
        {
            line++;
            var comma = text.IndexOf(',', StringComparison.Ordinal);
            if (comma < 0
                || !long.TryParse(text.AsSpan(0, comma), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id)
                || !double.TryParse(text.AsSpan(comma + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var score))
            {
                throw new FormatException($"{path}:{line}: expected transaction_id,score");
            }

            scores[id] = score;
        }

        return scores;
    }
}
