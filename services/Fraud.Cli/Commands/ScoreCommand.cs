using System.CommandLine;
using System.Globalization;
using Fraud.Cli.CommandLine;
using Fraud.Contracts;
using Fraud.Core.Features;
using Fraud.Core.Model;
using Fraud.Core.Replay;
using Fraud.Core.Rules;
using Fraud.Core.Scoring;

namespace Fraud.Cli.Commands;

/// <summary>
/// <c>fraud score</c>: replays a file through the live feature code and scores every transaction
/// with a trained model; writes <c>transaction_id,score,severity,reasons</c>.
/// </summary>
internal sealed class ScoreCommand : Command
{
    private readonly ImportArguments _import;
    private readonly Option<string> _model = CliOptions.ExistingFile(
        "--model", "MODEL.zip", "model written by fraud train or fraud backtest --model-out", required: true);
    private readonly Option<TimeSpan?> _labelDelay = EngineDefaults.LabelDelay();
    private readonly Option<string> _out = CliOptions.Text("--out", "FILE.csv", "where to write the scores", required: true);

    public ScoreCommand(CommandContext context)
        : base("score", "score every transaction of a file with a trained model")
    {
        _import = new ImportArguments(this);
        Options.Add(_model);
        Options.Add(_labelDelay);
        Options.Add(_out);
        SetAction((result, cancellation) => RunAsync(result, context with { Cancellation = cancellation }));
    }

    private Task<int> RunAsync(ParseResult result, CommandContext context)
    {
        var modelPath = result.GetRequiredValue(_model);
        FraudModel model;
        try
        {
            model = ModelFile.Load(modelPath);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
        {
            throw new UsageException($"--model: {e.Message}");
        }

        var delay = result.GetValue(_labelDelay) ?? EngineDefaults.DefaultLabelDelay;
        var scorer = new Scorer(model, new ScoringOptions(), RuleSet.Default());
        var replay = new TransactionReplay(new ProfileTracker(EngineDefaults.Profiles(delay)), delay);
        using var source = _import.Open(result, context, requireLabels: false);
        var output = result.GetRequiredValue(_out);
        long rows = 0, anomalies = 0;
        Span<float> features = stackalloc float[FeatureVector.Length];
        using (var writer = CsvOutput.Create(output))
        {
            writer.WriteLine("transaction_id,score,severity,reasons");
            foreach (var row in source.Rows())
            {
                context.Cancellation.ThrowIfCancellationRequested();
                replay.Step(row, features);
                var score = scorer.Score(features);
                var severity = scorer.SeverityOf(score);
                var reasons = severity == Severity.None ? string.Empty : Codes(scorer.Explain(features, row.Transaction).Reasons);
                writer.Write(Csv.Escape(row.Transaction.TransactionId));
                writer.Write(',');
                writer.Write(score.ToString("R", CultureInfo.InvariantCulture));
                writer.Write(',');
                writer.Write(WireNames.Name(severity));
                writer.Write(',');
                writer.WriteLine(reasons);
                rows++;
                if (scorer.IsAnomaly(score))
                {
                    anomalies++;
                }
            }
        }

        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"scored {rows:N0} transactions with {model.Version}: {anomalies:N0} at or above the alert threshold; wrote {output}"));
        source.WriteSkipped(context.Out);

        return Task.FromResult(0);
    }

    private static string Codes(IReadOnlyList<Reason> reasons)
    {
        var codes = new string[reasons.Count];
        for (var i = 0; i < codes.Length; i++)
        {
            codes[i] = reasons[i].Code;
        }

        return string.Join('|', codes);
    }
}
