using System.Globalization;
using System.Text.Json;
using Fraud.Core.Evaluation;

namespace Fraud.Cli.Tests;

public sealed class EndToEndTests(SimulatedData data) : IClassFixture<SimulatedData>
{
    [Fact]
    public async Task BacktestBeatsTheAmountAloneBaselineByAClearMargin()
    {
        var scoresPath = Path.Combine(data.Directory, "e2e-scores.csv");
        var (code, output, error) = await CliRunner.Run(SimulatedData.BacktestArgs(data.Path, "--json", "--baseline", "--scores-out", scoresPath));
        Assert.True(code == 0, error);
        using var report = JsonDocument.Parse(output);
        var ap = report.RootElement.GetProperty("averagePrecision").GetDouble();
        var auc = report.RootElement.GetProperty("aucRoc").GetDouble();

        // The trivial baseline: rank the same test-window transactions by amount alone.
        var scored = File.ReadLines(scoresPath).Skip(1).Select(l => l.Split(',')[0]).ToHashSet();
        var rows = SimulatedData.Read(data.Path).Where(r => scored.Contains(r.Id)).ToArray();
        var baseline = Metrics.AveragePrecision(rows.Select(r => r.Amount).ToArray(), rows.Select(r => r.Fraud).ToArray());

        Assert.Equal(rows.Length, scored.Count);
        Assert.True(ap > baseline + 0.3, $"model AP {ap:0.000} vs amount-only AP {baseline:0.000}");
        Assert.True(auc > 0.9, $"AUC {auc:0.000}");
        Assert.Equal("supervised", report.RootElement.GetProperty("modelKind").GetString());
        // The handbook's protocol: cards known compromised on their day are scored but not counted.
        var excluded = report.RootElement.GetProperty("knownCompromisedRowsExcluded").GetInt64();
        Assert.True(excluded > 0, "no test transaction of an already known compromised card");
        Assert.Equal(scored.Count, report.RootElement.GetProperty("testRows").GetInt64() + excluded);
        Assert.True(report.RootElement.GetProperty("recallByScenario").EnumerateObject().Count() >= 4);

        // The recalls at a false-positive rate are those of the counted rows, recomputed here from
        // the scores written and the protocol's exclusion.
        var scoreById = File.ReadLines(scoresPath).Skip(1).Select(l => l.Split(','))
            .ToDictionary(f => f[0], f => double.Parse(f[1], CultureInfo.InvariantCulture));
        var known = new KnownCompromised(DateTimeOffset.Parse(SimulatedData.TrainFrom, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal), TimeSpan.FromDays(7));
        var counted = new List<(double Score, bool Fraud)>();
        foreach (var row in SimulatedData.Read(data.Path).OrderBy(r => r.Time))
        {
            if (scoreById.TryGetValue(row.Id, out var score) && !known.IsKnown(row.Account, row.Time))
            {
                counted.Add((score, row.Fraud));
            }

            known.Observe(row.Account, row.Time, row.Fraud);
        }

        Assert.Equal(report.RootElement.GetProperty("testRows").GetInt64(), counted.Count);
        var countedScores = counted.Select(c => c.Score).ToArray();
        var countedLabels = counted.Select(c => c.Fraud).ToArray();
        var atTenth = Metrics.RecallAtFpr(countedScores, countedLabels, 0.001);
        Assert.Equal(Metrics.RecallAtFpr(countedScores, countedLabels, 0.01), report.RootElement.GetProperty("recallAt1PctFpr").GetDouble(), 12);
        Assert.Equal(atTenth, report.RootElement.GetProperty("recallAtTenthPctFpr").GetDouble(), 12);

        // The same learner on the account-history features alone ranks the same rows worse.
        var baselineFigures = report.RootElement.GetProperty("baseline");
        var baselineAp = baselineFigures.GetProperty("averagePrecision").GetDouble();
        var baselineAtTenth = baselineFigures.GetProperty("recallAtTenthPctFpr").GetDouble();
        Assert.True(baselineAp > baseline, $"baseline AP {baselineAp:0.000} vs amount-only AP {baseline:0.000}");
        Assert.True(ap > baselineAp && atTenth > baselineAtTenth, $"engine AP {ap:0.000}, recall at 0.1% FPR {atTenth:0.000}; baseline {baselineAp:0.000}, {baselineAtTenth:0.000}");

        var text = (await CliRunner.Run(SimulatedData.BacktestArgs(data.Path, "--baseline"))).Output;
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"recall at 0.1% FPR         {atTenth:0.0000}"), text);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"average precision {baselineAp:0.0000}, card precision@100"), text);
    }

    [Fact]
    public async Task TestWindowScoresDoNotDependOnTestWindowLabels()
    {
        // With a 7-day label delay and a 7-day test window, no test label may ever reach a feature
        // or the model: zeroing them all must leave every score byte-for-byte the same.
        var blinded = Path.Combine(data.Directory, "blinded.csv");
        var testStart = DateTimeOffset.Parse(SimulatedData.TestFrom, CultureInfo.InvariantCulture);
        var changed = 0;
        await File.WriteAllLinesAsync(blinded, File.ReadLines(data.Path).Select((line, i) =>
        {
            if (i == 0)
            {
                return line;
            }

            var f = line.Split(',');
            if (DateTimeOffset.Parse(f[1], CultureInfo.InvariantCulture) >= testStart && f[12] == "1")
            {
                changed++;
                f[12] = "0";
                f[13] = string.Empty;
            }

            return string.Join(',', f);
        }));
        Assert.True(changed > 20, "the test window must hold frauds for the check to mean anything");

        var original = Path.Combine(data.Directory, "scores-original.csv");
        var withoutLabels = Path.Combine(data.Directory, "scores-blinded.csv");
        var first = await CliRunner.Run(SimulatedData.BacktestArgs(data.Path, "--scores-out", original));
        var second = await CliRunner.Run(SimulatedData.BacktestArgs(blinded, "--scores-out", withoutLabels));
        Assert.True(first.ExitCode == 0, first.Error);
        Assert.True(second.ExitCode == 0, second.Error);

        Assert.Equal(await File.ReadAllBytesAsync(original), await File.ReadAllBytesAsync(withoutLabels));
    }

    [Fact]
    public async Task WithATestWindowLongerThanTheLabelDelayAScoreDependsOnlyOnLabelsKnownBeforeIt()
    {
        // A 3-day delay in a 7-day test window: labels of early test days legitimately reach the
        // features of later ones. Blank every label that could not be known by the cutoff (fraud
        // time + delay after it): every score up to the cutoff must stay byte-for-byte the same.
        var delay = TimeSpan.FromDays(3);
        var testStart = DateTimeOffset.Parse(SimulatedData.TestFrom, CultureInfo.InvariantCulture);
        var cutoff = testStart.AddDays(5);
        var blinded = Path.Combine(data.Directory, "blinded-at-cutoff.csv");
        int blanked = 0, keptInTestWindow = 0;
        await File.WriteAllLinesAsync(blinded, File.ReadLines(data.Path).Select((line, i) =>
        {
            var f = line.Split(',');
            if (i == 0 || f[12] != "1")
            {
                return line;
            }

            var time = DateTimeOffset.Parse(f[1], CultureInfo.InvariantCulture);
            if (time + delay <= cutoff)
            {
                keptInTestWindow += time >= testStart ? 1 : 0;
                return line;
            }

            blanked++;
            f[12] = "0";
            f[13] = string.Empty;
            return string.Join(',', f);
        }));
        Assert.True(keptInTestWindow > 5, $"only {keptInTestWindow} test-window frauds are known before the cutoff: the check would mean little");
        Assert.True(blanked > 20, $"only {blanked} labels blanked");

        string[] Args(string file, string scores) =>
        [
            "backtest", "--data", file, "--train-from", SimulatedData.TrainFrom, "--train-to", SimulatedData.TrainTo,
            "--test-from", SimulatedData.TestFrom, "--test-to", SimulatedData.TestTo, "--label-delay", "3d", "--scores-out", scores,
        ];
        var original = Path.Combine(data.Directory, "scores-3d.csv");
        var withoutLabels = Path.Combine(data.Directory, "scores-3d-blinded.csv");
        var first = await CliRunner.Run(Args(data.Path, original));
        var second = await CliRunner.Run(Args(blinded, withoutLabels));
        Assert.True(first.ExitCode == 0, first.Error);
        Assert.True(second.ExitCode == 0, second.Error);

        var times = SimulatedData.Read(data.Path).ToDictionary(r => r.Id, r => r.Time);
        string[] UpToCutoff(string scores) => [.. File.ReadLines(scores).Skip(1).Where(l => times[l.Split(',')[0]] <= cutoff)];
        var expected = UpToCutoff(original);
        Assert.True(expected.Length > 1000, $"{expected.Length} scores before the cutoff");
        Assert.Equal(expected, UpToCutoff(withoutLabels));
    }

    [Fact]
    public async Task TrainThenScoreWritesAScoreForEveryTransaction()
    {
        var model = Path.Combine(data.Directory, "model.zip");
        var scores = Path.Combine(data.Directory, "scored.csv");
        var train = await CliRunner.Run("train", "--data", data.Path, "--to", SimulatedData.TrainTo, "--out", model);
        Assert.True(train.ExitCode == 0, train.Error);
        Assert.Contains("supervised", train.Output, StringComparison.Ordinal);
        Assert.Contains("validation_auc_roc", train.Output, StringComparison.Ordinal);

        var score = await CliRunner.Run("score", "--data", data.Path, "--model", model, "--out", scores);
        Assert.True(score.ExitCode == 0, score.Error);

        var lines = File.ReadLines(scores).ToArray();
        Assert.Equal("transaction_id,score,severity,reasons", lines[0]);
        Assert.Equal(SimulatedData.Read(data.Path).Count(), lines.Length - 1);
        var values = lines.Skip(1).Select(l => double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
        Assert.All(values, v => Assert.InRange(v, 0, 1));
        Assert.Contains(lines.Skip(1), l => l.Split(',')[2] is "high" or "critical" && l.Split(',')[3].Length > 0);
    }

    [Fact]
    public async Task WithoutLabelsTrainingFallsBackToTheAnomalyModel()
    {
        var unlabelled = Path.Combine(data.Directory, "unlabelled.csv");
        await File.WriteAllLinesAsync(unlabelled, File.ReadLines(data.Path).Take(20_000).Select(l => string.Join(',', l.Split(',')[..12])));
        var model = Path.Combine(data.Directory, "pca.zip");

        var (code, output, error) = await CliRunner.Run("train", "--data", unlabelled, "--out", model);

        Assert.True(code == 0, error);
        Assert.Contains("unsupervised", output, StringComparison.Ordinal);
        Assert.Contains("RandomizedPca", output, StringComparison.Ordinal);
    }
}
