using System.CommandLine;
using System.Globalization;
using Fraud.Cli.CommandLine;
using Fraud.Core.Features;
using Fraud.Core.Model;
using Fraud.Core.Replay;
using Fraud.Core.Scoring;

namespace Fraud.Cli.Commands;

/// <summary>
/// <c>fraud train</c>: replays the file through the live feature code and trains on the rows of the
/// window — LightGBM with labels, RandomizedPca without — then writes the model file.
/// </summary>
internal sealed class TrainCommand : Command
{
    private readonly ImportArguments _import;
    private readonly Option<DateOnly?> _from = CliOptions.Date("--from", "first day to train on, inclusive (default: the file's first)");
    private readonly Option<DateOnly?> _to = CliOptions.Date("--to", "last day to train on, inclusive (default: the file's last)");
    private readonly Option<TimeSpan?> _labelDelay = EngineDefaults.LabelDelay();
    private readonly Option<string> _out = CliOptions.Text("--out", "MODEL.zip", "where to write the model", required: true);

    public TrainCommand(CommandContext context)
        : base("train", "train a model on a (labelled) transaction file")
    {
        _import = new ImportArguments(this);
        Options.Add(_from);
        Options.Add(_to);
        Options.Add(_labelDelay);
        Options.Add(_out);
        SetAction((result, cancellation) => RunAsync(result, context with { Cancellation = cancellation }));
    }

    private Task<int> RunAsync(ParseResult result, CommandContext context)
    {
        var delay = result.GetValue(_labelDelay) ?? EngineDefaults.DefaultLabelDelay;
        var from = result.GetValue(_from);
        var to = result.GetValue(_to);
        if (from is not null && to is not null && to < from)
        {
            throw new UsageException($"--to {to:yyyy-MM-dd} is before --from {from:yyyy-MM-dd}.");
        }

        var start = from is { } f ? EngineDefaults.StartOf(f) : DateTimeOffset.MinValue;
        var end = to is { } t ? EngineDefaults.StartOf(t.AddDays(1)) : DateTimeOffset.MaxValue;
        var output = result.GetRequiredValue(_out);

        using var source = _import.Open(result, context, requireLabels: false);
        var replay = new TransactionReplay(new ProfileTracker(EngineDefaults.Profiles(delay)), delay);
        var set = new TrainingSet();
        Span<float> features = stackalloc float[FeatureVector.Length];
        DateTimeOffset? first = null, last = null;
        foreach (var row in source.Rows())
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var time = row.Transaction.Timestamp;
            if (time >= end)
            {
                break;
            }

            if (replay.Step(row, features) && time >= start)
            {
                set.Add(features, row.IsFraud == true, TimeKey.Seconds(time));
                first ??= time;
                last = time;
            }
        }

        if (set.Count == 0)
        {
            throw new UsageException("no transactions in the training window; check --from/--to against the file.");
        }

        var trainer = new ModelTrainer(new TrainerOptions(), context.Time);
        source.Progress.Step(string.Create(CultureInfo.InvariantCulture, $"training on {set.Count:N0} transactions …"));
        var model = trainer.Train(set, new TrainingContext(first, last, delay, new ScoringOptions().AlertThreshold));
        source.Progress.Done();
        ModelFile.Save(model, output);

        var m = model.Manifest;
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trained {m.Version} ({m.Kind.ToString().ToLowerInvariant()}, {m.Algorithm}) on {m.TrainingRows:N0} transactions, {m.TrainingFrauds:N0} frauds, {first:yyyy-MM-dd}..{last:yyyy-MM-dd}"));
        if (!source.Reader.HasLabels)
        {
            context.Out.WriteLine("the file has no is_fraud column: trained the unsupervised anomaly model");
        }

        foreach (var (name, value) in m.Metrics.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-30} {value:0.####}"));
        }

        source.WriteSkipped(context.Out);

        context.Out.WriteLine($"wrote {output}");
        return Task.FromResult(0);
    }
}
