using System.Globalization;
using System.Text.Json;
using Fraud.Cli.CommandLine;
using Fraud.Core.Evaluation;
using Fraud.Core.Features;
using Fraud.Core.Model;
using Fraud.Core.Rules;
using Fraud.Core.Scoring;

namespace Fraud.Cli.Commands;

/// <summary>
/// <c>fraud backtest</c>: replay the whole file in time order, train at the end of the train window
/// with the labels known by the start of the test window, score the test window as it streams.
/// </summary>
internal sealed class BacktestCommand : ICommand
{
    public string Name => "backtest";

    public string Summary => "train on one window of a labelled file and measure detection on a later one";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        .. ImportArguments.All,
        new("train-from", "DATE", "first training day, inclusive", Required: true),
        new("train-to", "DATE", "last training day, inclusive", Required: true),
        new("test-from", "DATE", "first test day, inclusive", Required: true),
        new("test-to", "DATE", "last test day, inclusive", Required: true),
        EngineDefaults.LabelDelay,
        new("detectors", "N", "simulate N detector replicas: accounts partitioned, merchant state per replica, labels shared (default 1)"),
        EngineDefaults.MaxAccounts,
        EngineDefaults.MaxMerchants,
        new("scores-out", "FILE.csv", "write transaction_id,score for every test-window transaction"),
        new("model-out", "MODEL.zip", "keep the model trained for the test window"),
        new("json", null, "print the report as one JSON object"),
    ];

    public Task<int> RunAsync(ParsedArguments args, CommandContext context)
    {
        var options = new BacktestOptions(
            args.RequiredDate("train-from"),
            args.RequiredDate("train-to"),
            args.RequiredDate("test-from"),
            args.RequiredDate("test-to"),
            EngineDefaults.Delay(args),
            args.Int("detectors", 1, 1, 1024));
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"fraud backtest: {e.Message}");
        }

        var profiles = EngineDefaults.Profiles(options.LabelDelay, args);
        using var source = new TransactionSource(args, context, requireLabels: true);
        using var scores = args.String("scores-out") is { } scoresPath ? CsvOutput.Create(scoresPath) : null;
        scores?.WriteLine("transaction_id,score");
        FraudModel? trained = null;
        // The backtest is itself the out-of-time measurement, so the trainer's own hold-out fit is skipped.
        var trainer = new TrainerOptions { ValidationFraction = 0 };
        var runner = new BacktestRunner(profiles, trainer, new ScoringOptions(), new RuleOptions(), context.Time);
        var report = runner.Run(
            source.Rows(),
            options,
            scores is null ? null : (id, score) => WriteScore(scores, id, score),
            onTrained: model => trained = model);
        report = report with { BadRowsSkipped = source.Reader.BadRowsSkipped };

        if (args.String("model-out") is { } modelPath && trained is not null)
        {
            ModelFile.Save(trained, modelPath);
        }

        if (args.Flag("json"))
        {
            context.Out.WriteLine(JsonSerializer.Serialize(report, CliJsonContext.Default.BacktestReport));
        }
        else
        {
            WriteText(context.Out, report, options);
        }

        return Task.FromResult(0);
    }

    private static void WriteScore(TextWriter writer, string id, double score)
    {
        writer.Write(Csv.Escape(id));
        writer.Write(',');
        // Round-trip precision: rounding would create ties that change AP and AUC.
        writer.WriteLine(score.ToString("R", CultureInfo.InvariantCulture));
    }

    private static void WriteText(TextWriter o, BacktestReport r, BacktestOptions w)
    {
        var c = CultureInfo.InvariantCulture;
        o.WriteLine(string.Create(c, $"train   {w.TrainFrom:yyyy-MM-dd}..{w.TrainTo:yyyy-MM-dd}  {r.TrainRows,10:N0} transactions  {r.TrainFrauds,7:N0} frauds"));
        o.WriteLine(string.Create(c, $"test    {w.TestFrom:yyyy-MM-dd}..{w.TestTo:yyyy-MM-dd}  {r.TestRows,10:N0} transactions  {r.TestFrauds,7:N0} frauds   label delay {w.LabelDelay.TotalDays:0.##}d"));
        o.WriteLine($"model   {r.ModelVersion} ({r.ModelKind})");
        if (w.Detectors > 1)
        {
            o.WriteLine(string.Create(c, $"        {w.Detectors} detector replicas simulated (merchant state per replica)"));
        }
        o.WriteLine();
        o.WriteLine(string.Create(c, $"  AUC ROC                    {r.AucRoc:0.0000}"));
        o.WriteLine(string.Create(c, $"  average precision          {r.AveragePrecision:0.0000}"));
        o.WriteLine(string.Create(c, $"  card precision@100         {r.CardPrecisionAt100:0.0000}"));
        o.WriteLine(string.Create(c, $"  recall at 1% FPR           {r.RecallAt1PctFpr:0.0000}"));
        o.WriteLine(string.Create(c, $"  at the alert threshold     recall {r.RecallAtAlertThreshold:0.0000}, precision {r.PrecisionAtAlertThreshold:0.0000}"));
        if (r.RecallByScenario.Count > 0)
        {
            o.WriteLine();
            o.WriteLine("  recall by scenario           frauds   @1% FPR   @alert");
            foreach (var (name, s) in r.RecallByScenario)
            {
                o.WriteLine(string.Create(c, $"    {name,-26} {s.Frauds,7:N0}   {s.RecallAt1PctFpr,7:0.000}   {s.RecallAtAlertThreshold,6:0.000}"));
            }
        }

        o.WriteLine();
        o.WriteLine(string.Create(c, $"  {r.RowsReplayed:N0} transactions in {r.Seconds:0.0} s: {r.TransactionsPerSecond:N0}/s end to end, {r.ScoringTransactionsPerSecond:N0}/s features + scoring; training {r.TrainingSeconds:0.0} s"));
        if (r.BadRowsSkipped > 0)
        {
            o.WriteLine(string.Create(c, $"  skipped {r.BadRowsSkipped:N0} bad rows"));
        }
    }
}
