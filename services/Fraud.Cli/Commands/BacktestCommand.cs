using System.CommandLine;
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
internal sealed class BacktestCommand : Command
{
    private readonly ImportArguments _import;
    private readonly Option<DateOnly?> _trainFrom = CliOptions.Date("--train-from", "first training day, inclusive", required: true);
    private readonly Option<DateOnly?> _trainTo = CliOptions.Date("--train-to", "last training day, inclusive", required: true);
    private readonly Option<DateOnly?> _testFrom = CliOptions.Date("--test-from", "first test day, inclusive", required: true);
    private readonly Option<DateOnly?> _testTo = CliOptions.Date("--test-to", "last test day, inclusive", required: true);
    private readonly Option<TimeSpan?> _labelDelay = EngineDefaults.LabelDelay();
    private readonly Option<int> _detectors = CliOptions.Int(
        "--detectors", "simulate N detector replicas: accounts partitioned, merchant state per replica, labels shared", 1, 1, 1024);
    private readonly Option<int> _maxAccounts = EngineDefaults.MaxAccounts();
    private readonly Option<int> _maxMerchants = EngineDefaults.MaxMerchants();
    private readonly Option<string> _scoresOut = CliOptions.Text("--scores-out", "FILE.csv", "write transaction_id,score for every test-window transaction");
    private readonly Option<string> _modelOut = CliOptions.Text("--model-out", "MODEL.zip", "keep the model trained for the test window");
    private readonly Option<bool> _json = CliOptions.Flag("--json", "print the report as one JSON object");
    private readonly Option<bool> _baseline = CliOptions.Flag(
        "--baseline", "also train the same learner on common account-history features alone, on the same rows, and report its figures");

    public BacktestCommand(CommandContext context)
        : base("backtest", "train on one window of a labelled file and measure detection on a later one")
    {
        _import = new ImportArguments(this);
        Options.Add(_trainFrom);
        Options.Add(_trainTo);
        Options.Add(_testFrom);
        Options.Add(_testTo);
        Options.Add(_labelDelay);
        Options.Add(_detectors);
        Options.Add(_maxAccounts);
        Options.Add(_maxMerchants);
        Options.Add(_scoresOut);
        Options.Add(_modelOut);
        Options.Add(_json);
        Options.Add(_baseline);
        SetAction((result, cancellation) => RunAsync(result, context with { Cancellation = cancellation }));
    }

    private Task<int> RunAsync(ParseResult result, CommandContext context)
    {
        // The four dates are required, so the parser has made sure they are there.
        var options = new BacktestOptions(
            result.GetValue(_trainFrom).GetValueOrDefault(),
            result.GetValue(_trainTo).GetValueOrDefault(),
            result.GetValue(_testFrom).GetValueOrDefault(),
            result.GetValue(_testTo).GetValueOrDefault(),
            result.GetValue(_labelDelay) ?? EngineDefaults.DefaultLabelDelay,
            result.GetValue(_detectors),
            result.GetValue(_baseline));
        // The windows must be in order. Checked here, not in a command validator: those run before
        // the options' defaults are applied.
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        var profiles = EngineDefaults.Profiles(options.LabelDelay, result.GetValue(_maxAccounts), result.GetValue(_maxMerchants));
        using var source = _import.Open(result, context, requireLabels: true);
        using var scores = result.GetValue(_scoresOut) is { } scoresPath ? CsvOutput.Create(scoresPath) : null;
        scores?.WriteLine("transaction_id,score");
        FraudModel? trained = null;
        // The backtest is itself the out-of-time measurement, so the trainer's own hold-out fit is skipped.
        var trainer = new TrainerOptions { ValidationFraction = 0 };
        var runner = new BacktestRunner(profiles, trainer, new ScoringOptions(), new RuleOptions(), context.Time);
        var report = runner.Run(
            source.Rows(),
            options,
            scores is null ? null : (id, score) => WriteScore(scores, id, score),
            onProgress: p =>
            {
                if (p.Phase == "training")
                {
                    source.Progress.Step(string.Create(CultureInfo.InvariantCulture, $"training a model on the transactions up to {p.StreamTime:yyyy-MM-dd} …"));
                }
            },
            onTrained: model => trained = model);
        // The run stops reading at the end of the test window, before the reader clears its line.
        source.Progress.Done();
        report = report with { BadRowsSkipped = source.Reader.BadRowsSkipped };

        if (result.GetValue(_modelOut) is { } modelPath && trained is not null)
        {
            ModelFile.Save(trained, modelPath);
        }

        if (result.GetValue(_json))
        {
            context.Out.WriteLine(JsonSerializer.Serialize(report, CliJsonContext.Default.BacktestReport));
            source.WriteSkipped(context.Error);
        }
        else
        {
            WriteText(context.Out, report, options);
            source.WriteSkipped(context.Out, "  ");
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
        if (r.KnownCompromisedRowsExcluded > 0)
        {
            o.WriteLine(string.Create(c, $"        not counted: {r.KnownCompromisedRowsExcluded:N0} test transactions of cards already known compromised on their day"));
        }

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
        o.WriteLine(string.Create(c, $"  recall at 0.1% FPR         {r.RecallAtTenthPctFpr:0.0000}"));
        if (w.Baseline)
        {
            o.WriteLine();
            o.WriteLine(r.Baseline is { } b
                ? string.Create(c, $"  baseline (the same learner on account-history features alone): AUC ROC {b.AucRoc:0.0000}, average precision {b.AveragePrecision:0.0000}, card precision@100 {b.CardPrecisionAt100:0.0000}, recall at 1% FPR {b.RecallAt1PctFpr:0.0000}, at 0.1% FPR {b.RecallAtTenthPctFpr:0.0000}")
                : "  baseline: not trained (the training rows need both frauds and legitimate transactions)");
        }

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
    }
}
